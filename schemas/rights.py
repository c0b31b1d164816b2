"""Data-subject rights requests and receipts: the models behind their JSON Schemas."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from redactors import codec
from redactors.errors import LogwardenError

__all__ = [
    "REQUEST_ID",
    "Receipt",
    "ReceiptStatus",
    "RequestTrigger",
    "RequestType",
    "RightsRequest",
    "RightsRequestError",
    "parse_request",
    "receipt_problems",
]


# The request schema's pattern: ids are copied to receipts and logs, so no free text.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class RightsRequestError(LogwardenError):
    """A rights request that cannot be honored as written; names the field, never the value."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"rights request {path}: {reason}")
        self.path = path
        self.reason = reason


class RequestType(StrEnum):
    ERASE = "erase"
    ACCESS = "access"
    CORRECT = "correct"


class RequestTrigger(StrEnum):
    REQUEST = "request"  # asked by (or for) the subject
    CHILD = "child"  # raised by logwarden when the subject turns out to be under 16


class ReceiptStatus(StrEnum):
    COMPLETED = "completed"
    REJECTED = "rejected"
    FAILED = "failed"


@dataclass(frozen=True, kw_only=True, slots=True)
class RightsRequest:
    """One request from privacy.requests. Holds the raw subject id: never log it."""

    request_id: str
    type: RequestType
    subject_id: str = field(repr=False)
    requested_at: str
    trigger: RequestTrigger = RequestTrigger.REQUEST
    changes: dict[str, Any] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "request_id": self.request_id, "type": str(self.type),
            "subject_id": self.subject_id, "requested_at": self.requested_at,
            "trigger": str(self.trigger),
        }
        if self.changes is not None:
            out["changes"] = dict(self.changes)
        return out


@dataclass(frozen=True, kw_only=True, slots=True)
class Receipt:
    """The audit record of one request: keyed hash of the subject, timestamps, what was done."""

    request_id: str
    type: RequestType | None  # None: a rejected request whose type could not be read
    subject: str | None  # SubjectHasher output, never the raw id; None: no subject named
    status: ReceiptStatus
    trigger: RequestTrigger
    received_at: str
    completed_at: str
    details: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "request_id": self.request_id,
            "type": None if self.type is None else str(self.type), "subject": self.subject,
            "status": str(self.status), "trigger": str(self.trigger),
            "received_at": self.received_at, "completed_at": self.completed_at,
            "details": self.details,
        }
        if self.reason is not None:
            out["reason"] = self.reason
        return out


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    text = resources.files("schemas").joinpath(name).read_text(encoding="utf-8")
    return Draft202012Validator(codec.loads(text))


def _problems(name: str, document: Any) -> list[tuple[str, str]]:
    """(json path, reason) per violation; reasons quote the schema, never the instance."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: e.json_path)
    problems = []
    for error in errors:
        if error.validator == "required":
            missing = [p for p in error.validator_value if p not in (error.instance or {})]
            problems.append((error.json_path, f"missing {', '.join(missing)}"))
        elif error.validator == "additionalProperties":
            problems.append((error.json_path, "unexpected property"))
        elif error.validator == "not":
            problems.append((error.json_path, "changes are only allowed with type correct"))
        else:
            problems.append((error.json_path, f"must satisfy {error.validator} "
                                              f"{codec.show(error.validator_value)}"))
    return problems


def receipt_problems(document: Any) -> list[tuple[str, str]]:
    """Schema violations of a receipt document (empty when valid)."""
    return _problems("receipt.schema.json", document)


def _check_timestamp(value: str, path: str) -> None:
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise RightsRequestError(path, "not an RFC 3339 timestamp") from None
    if stamp.tzinfo is None:
        raise RightsRequestError(path, "timestamp needs a UTC offset")


def parse_request(data: bytes | dict[str, Any]) -> RightsRequest:
    """Decode and validate one request; raises RightsRequestError naming the first problem."""
    if isinstance(data, bytes | bytearray):
        try:
            data = codec.loads(data)
        except codec.DecodeError:
            raise RightsRequestError("$", "not valid JSON") from None
    problems = _problems("rights-request.schema.json", data)
    if problems:
        raise RightsRequestError(*problems[0])
    assert isinstance(data, dict)  # the schema says object
    _check_timestamp(data["requested_at"], "$.requested_at")
    return RightsRequest(
        request_id=data["request_id"], type=RequestType(data["type"]),
        subject_id=data["subject_id"], requested_at=data["requested_at"],
        trigger=RequestTrigger(data.get("trigger", "request")), changes=data.get("changes"),
    )
