"""The rights handler's decisions, against a small fake of the stream's tables and topics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from redactors.consent import ConsentState
from redactors.errors import LogwardenError
from redactors.suppression import SubjectHasher, SuppressionEntry, SuppressionList
from schemas.rights import (
    ReceiptStatus,
    RequestTrigger,
    RequestType,
    RightsRequest,
    receipt_problems,
)
from streams.rights.handler import RightsHandler

HASHER = SubjectHasher(b"s" * 32, key_id="s1")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class FakeEffects:
    def __init__(self) -> None:
        self.suppression = SuppressionList(HASHER, {})
        self.consent: dict[str, ConsentState] = {}
        self.keys: dict[str, int] = {}
        self.published: list[ConsentState] = []
        self.tombstoned: list[str] = []
        self.fail_export = False

    def consent_of(self, subject_id: str) -> ConsentState | None:
        return self.consent.get(subject_id)

    def is_suppressed(self, subject_id: str) -> bool:
        return self.suppression.is_suppressed(subject_id)

    async def suppress(self, subject_id: str, entry: SuppressionEntry) -> bool:
        return self.suppression.suppress(subject_id, entry)

    async def shred_keys(self, subject_id: str) -> int:
        return self.keys.pop(subject_id, 0)

    async def tombstone_consent(self, subject_id: str) -> None:
        self.consent.pop(subject_id, None)
        self.tombstoned.append(subject_id)

    async def publish_consent(self, state: ConsentState) -> None:
        self.consent[state.subject_id] = state
        self.published.append(state)

    async def export(self, request: RightsRequest) -> dict[str, Any]:
        if self.fail_export:
            raise LogwardenError("disk full")
        return {"location": "file:///exports/r.json", "records": 3, "sha256": "0" * 64}


def request(kind: RequestType, changes: dict[str, Any] | None = None,
            trigger: RequestTrigger = RequestTrigger.REQUEST) -> RightsRequest:
    return RightsRequest(request_id="r-1", type=kind, subject_id="alice",
                         requested_at="2026-11-25T11:59:00Z", trigger=trigger, changes=changes)


def run(effects: FakeEffects, req: RightsRequest):
    receipt = asyncio.run(RightsHandler(HASHER, effects, minimum_age=16, clock=lambda: NOW)(req))
    assert receipt_problems(receipt.to_dict()) == []
    assert "alice" not in str(receipt.to_dict())
    return receipt


def test_erase_suppresses_shreds_and_tombstones():
    effects = FakeEffects()
    effects.keys["alice"] = 4
    effects.consent["alice"] = ConsentState(subject_id="alice", analytics=True)
    receipt = run(effects, request(RequestType.ERASE))
    assert receipt.status is ReceiptStatus.COMPLETED
    assert receipt.details == {"suppressed": True, "key_deleted": True,
                               "consent_tombstoned": True}
    assert receipt.subject == HASHER("alice")
    assert effects.is_suppressed("alice")
    assert "alice" not in effects.keys
    assert effects.tombstoned == ["alice"]


def test_second_erase_is_idempotent_and_says_so():
    effects = FakeEffects()
    run(effects, request(RequestType.ERASE))
    receipt = run(effects, request(RequestType.ERASE))
    assert receipt.details["already_suppressed"] is True
    assert receipt.details["key_deleted"] is False


@pytest.mark.parametrize(("changes", "changed"), [
    ({"profiling": False}, [{"field": "profiling", "old": True, "new": False}]),
    ({"marketing": False, "profiling": True}, [{"field": "marketing", "old": True,
                                                "new": False}]),
    ({"birth_year": 1980}, [{"field": "birth_year"}]),
])
def test_correct_publishes_new_consent_and_records_the_fields(changes, changed):
    effects = FakeEffects()
    effects.consent["alice"] = ConsentState(subject_id="alice", analytics=True, profiling=True,
                                            marketing=True)
    receipt = run(effects, request(RequestType.CORRECT, changes))
    assert receipt.details == {"changed": changed}
    assert len(effects.published) == 1
    for name, value in changes.items():
        assert getattr(effects.published[0], name) == value


def test_correction_that_reveals_a_child_erases_instead():
    effects = FakeEffects()
    effects.keys["alice"] = 1
    receipt = run(effects, request(RequestType.CORRECT, {"birth_year": 2010}))
    assert receipt.details["suppressed"] is True
    assert effects.suppression.entry("alice").reason == "child"
    assert effects.published == []


def test_correcting_an_erased_subject_is_rejected():
    effects = FakeEffects()
    run(effects, request(RequestType.ERASE))
    receipt = run(effects, request(RequestType.CORRECT, {"analytics": True}))
    assert receipt.status is ReceiptStatus.REJECTED
    assert receipt.reason == "correct:subject_erased"
    assert effects.published == []


def test_child_trigger_records_child_reason():
    effects = FakeEffects()
    receipt = run(effects, request(RequestType.ERASE, trigger=RequestTrigger.CHILD))
    assert receipt.trigger is RequestTrigger.CHILD
    assert effects.suppression.entry("alice").reason == "child"


def test_access_references_the_export_and_failure_still_yields_a_receipt():
    effects = FakeEffects()
    assert run(effects, request(RequestType.ACCESS)).details["export"]["records"] == 3
    effects.fail_export = True
    receipt = run(effects, request(RequestType.ACCESS))
    assert receipt.status is ReceiptStatus.FAILED
    assert receipt.reason == "access:LogwardenError"
