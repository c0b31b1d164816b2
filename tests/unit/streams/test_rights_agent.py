"""The rights agent's own decisions: receipts for unreadable requests, child sweeps."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import orjson
import pytest

from redactors.consent import ConsentState
from redactors.suppression import (
    SubjectHasher,
    SuppressionEntry,
    SuppressionList,
    SuppressionReason,
)
from schemas.rights import receipt_problems
from streams.dataplane.keys import KeyStore, PartitionKeys
from streams.hooks import NullHooks
from streams.rights.agent import Rights
from streams.rights.effects import PipelineEffects
from streams.rights.handler import RightsHandler
from streams.state.keys import KeyChange, MemoryKeys
from streams.topics import TopicNames

HASHER = SubjectHasher(b"s" * 32, key_id="s1")


NAMES = TopicNames(prefix="t.")


@dataclass
class FakeWriter:
    """Records what the rights agent sends, by topic base name (requests, receipts, ...)."""

    sent: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {
        "requests": [], "receipts": [], "consent": []})

    async def send(self, topic: str, key: bytes | None, value: bytes | None,
                   partition: int) -> None:
        base = topic.removeprefix("t.privacy.")
        self.sent[base].append({"key": key, "value": value, "partition": partition})


def rights_with(consent: dict[str, ConsentState], *, loading: bool = False
                ) -> tuple[Rights, dict[str, list[Any]]]:
    """`loading`: the consent view is still reading what the topic held at start."""
    writer = FakeWriter()
    pipeline = SimpleNamespace(settings=SimpleNamespace(partitions=4), names=NAMES,
                               consent=SimpleNamespace(get=consent.get, ready=not loading),
                               hooks=NullHooks())
    suppression = SuppressionList(HASHER, {})
    handler = RightsHandler(HASHER, effects=None, minimum_age=16)  # type: ignore[arg-type]
    rights = Rights(pipeline, HASHER, handler, suppression, writer)  # type: ignore[arg-type]
    return rights, writer.sent


def message(key: bytes | None, value: bytes) -> Any:
    return SimpleNamespace(message=SimpleNamespace(key=key, value=value, partition=2,
                                                   offset=7))


@pytest.mark.parametrize(("key", "value", "request_id", "subject"), [
    (b"erin", b"{not json", "unreadable-2-7", HASHER("erin")),
    (None, b"[1, 2]", "unreadable-2-7", None),
    (b"erin", orjson.dumps({"request_id": "erin@example.org", "type": "erase"}),
     "unreadable-2-7", HASHER("erin")),
    (None, orjson.dumps({"request_id": "r-9", "type": "erase", "subject_id": "erin"}),
     "r-9", HASHER("erin")),
])
def test_unreadable_requests_get_a_rejected_receipt_without_pii(key, value, request_id,
                                                                subject):
    rights, topics = rights_with({})
    receipt = asyncio.run(rights.handle(message(key, value)))
    assert receipt.status == "rejected"
    assert receipt.request_id == request_id
    assert receipt.subject == subject
    sent = topics["receipts"][0]
    assert receipt_problems(orjson.loads(sent["value"])) == []
    assert b"erin" not in sent["value"]


def child(subject: str) -> ConsentState:
    return ConsentState(subject_id=subject, birth_year=datetime.now(UTC).year - 10)


def test_consent_children_are_swept_by_the_leader_only_and_once():
    states = {"kid": child("kid"), "adult": ConsentState(subject_id="adult", birth_year=1980)}
    rights, topics = rights_with(states)
    for state in states.values():
        rights.on_consent(state)
    asyncio.run(rights.sweep(leader=False))
    assert topics["requests"] == []
    asyncio.run(rights.sweep(leader=True))
    asyncio.run(rights.sweep(leader=True))
    requests = [orjson.loads(r["value"]) for r in topics["requests"]]
    assert [(r["subject_id"], r["trigger"], r["type"]) for r in requests] == [
        ("kid", "child", "erase")]


def test_event_children_are_swept_by_any_worker_unless_already_suppressed():
    rights, topics = rights_with({})
    rights.suppression.suppress("gone", SuppressionEntry(
        reason=SuppressionReason.CHILD, since="2026-11-25T00:00:00Z", request_id="r-1"))
    rights.on_child_event("kid")
    rights.on_child_event("gone")
    asyncio.run(rights.sweep(leader=False))
    rights.on_child_event("kid")  # more events before the erasure lands: no second request
    asyncio.run(rights.sweep(leader=False))
    assert [orjson.loads(r["value"])["subject_id"] for r in topics["requests"]] == ["kid"]


def test_consent_sent_again_for_an_erased_subject_is_tombstoned_by_the_leader():
    states = {"gone": ConsentState(subject_id="gone", analytics=True),
              "here": ConsentState(subject_id="here", analytics=True)}
    rights, topics = rights_with(states)
    rights.suppression.suppress("gone", SuppressionEntry(
        reason=SuppressionReason.ERASED, since="2026-11-25T00:00:00Z", request_id="r-1"))
    for state in states.values():
        rights.on_consent(state)
    asyncio.run(rights.sweep(leader=False))  # not the leader: forgets what it read
    asyncio.run(rights.sweep(leader=True))
    assert topics["consent"] == []
    for state in states.values():
        rights.on_consent(state)
    asyncio.run(rights.sweep(leader=True))
    assert [(r["key"], r["value"]) for r in topics["consent"]] == [(b"gone", None)]


def test_consent_read_at_load_is_kept_for_the_sweep_only_when_its_subject_is_erased():
    states = {f"s{i}": ConsentState(subject_id=f"s{i}", analytics=True) for i in range(1000)}
    rights, topics = rights_with(states, loading=True)
    rights.suppression.suppress("s7", SuppressionEntry(
        reason=SuppressionReason.ERASED, since="2026-11-25T00:00:00Z", request_id="r-1"))
    for state in states.values():
        rights.on_consent(state)
    assert rights._consent_changed == {"s7"}  # not the whole topic
    asyncio.run(rights.sweep(leader=True))
    assert [(r["key"], r["value"]) for r in topics["consent"]] == [(b"s7", None)]


def test_keys_are_shredded_again_after_the_other_workers_caught_up(monkeypatch, tmp_path):
    monkeypatch.setattr("streams.rights.effects.RESHRED_AFTER_SECONDS", 0.0)
    sent: list[tuple[str, bytes | None, bytes | None, int]] = []

    class Writer:
        async def send(self, topic, key, value, partition):
            sent.append((topic, key, value, partition))

    table = MemoryKeys()
    table.write([KeyChange(1, 0, "alice", b"k" * 32)], {}, (), 0.0)
    store = KeyStore("127.0.0.1:9", NAMES.changelog("subject_keys"), lambda: None, table=table)
    store._partitions = {1: PartitionKeys(1, table, lambda: None),
                         2: PartitionKeys(2, table, lambda: None)}
    pipeline = SimpleNamespace(settings=SimpleNamespace(partitions=4), names=NAMES,
                               keys=store)
    effects = PipelineEffects(pipeline, SuppressionList(HASHER, {}), tmp_path, Writer())
    assert asyncio.run(effects.shred_keys("alice")) == 1
    store[2].get_or_create("alice")  # one more event routed before the suppression applied
    asyncio.run(effects.reshred_due())
    asyncio.run(effects.reshred_due())  # nothing left to do
    assert (store[1].get("alice"), store[2].get("alice")) == (None, None)
    changelog = NAMES.changelog("subject_keys")
    assert sent == [(changelog, f"{p}/alice".encode(), None, p) for p in range(4)] * 2
