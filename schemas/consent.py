"""Consent events on privacy.consent: decode and validate against the JSON Schema, encode."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from redactors import codec
from redactors.consent import ConsentState
from redactors.errors import LogwardenError

__all__ = [
    "ConsentEventError",
    "consent_from_line",
    "decode_consent",
    "encode_consent",
    "now_rfc3339",
]

_LINE_FLAGS = ("analytics", "profiling", "marketing", "gpc", "erased")


class ConsentEventError(LogwardenError):
    """An invalid consent event; `reason` is a fixed code, safe for logs and metrics."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid consent event: {reason}")
        self.reason = reason


@functools.cache
def _validator() -> Draft202012Validator:
    text = resources.files("schemas").joinpath("consent.schema.json").read_text("utf-8")
    return Draft202012Validator(codec.loads(text))


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def decode_consent(key: bytes | None, value: bytes) -> ConsentState:
    """A ConsentState from one record of privacy.consent; ConsentEventError if invalid."""
    try:
        document: Any = codec.loads(value)
    except codec.DecodeError:
        raise ConsentEventError("not_json") from None
    error = next(iter(_validator().iter_errors(document)), None)
    if error is not None:
        field = error.path[0] if error.path else error.validator
        raise ConsentEventError(f"schema:{field}")
    try:
        datetime.fromisoformat(document["updated_at"].replace("Z", "+00:00"))
    except ValueError:
        raise ConsentEventError("schema:updated_at") from None
    if key is not None and key != document["subject_id"].encode("utf-8"):
        raise ConsentEventError("key_mismatch")
    return ConsentState(
        subject_id=document["subject_id"], analytics=document["analytics"],
        profiling=document["profiling"], marketing=document["marketing"],
        birth_year=document.get("birth_year"), gpc=document.get("gpc", False),
        updated_at=document["updated_at"])


def consent_from_line(document: Any) -> ConsentState:
    """A ConsentState from one line of an embedded-mode consent file: the event's fields,
    absent flags false, `updated_at` optional, and `erased`. ConsentEventError's reason
    names the field (`analytics: not a boolean`), never its value."""
    if not isinstance(document, dict) or not isinstance(document.get("subject_id"), str):
        raise ConsentEventError("subject_id: missing or not a string")
    for flag in _LINE_FLAGS:
        if not isinstance(document.get(flag, False), bool):
            raise ConsentEventError(f"{flag}: not a boolean")
    birth_year = document.get("birth_year")
    if birth_year is not None and (isinstance(birth_year, bool) or not isinstance(birth_year, int)):
        raise ConsentEventError("birth_year: not an integer")
    updated_at = document.get("updated_at")
    return ConsentState(
        subject_id=document["subject_id"], birth_year=birth_year,
        updated_at=updated_at if isinstance(updated_at, str) else None,
        **{flag: bool(document.get(flag, False)) for flag in _LINE_FLAGS})


def encode_consent(state: ConsentState) -> tuple[bytes, bytes]:
    """(key, value) of the consent event for `state`."""
    document: dict[str, Any] = {
        "subject_id": state.subject_id, "analytics": state.analytics,
        "profiling": state.profiling, "marketing": state.marketing, "gpc": state.gpc,
        "updated_at": state.updated_at or now_rfc3339()}
    if state.birth_year is not None:
        document["birth_year"] = state.birth_year
    return state.subject_id.encode("utf-8"), codec.dumps(document)
