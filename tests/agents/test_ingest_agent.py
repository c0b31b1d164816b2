"""The ingest agent's wiring, with Faust's test_context and an in-memory store."""

from __future__ import annotations

import base64
import os
from types import SimpleNamespace
from typing import Any

import faust
import orjson
import pytest

from redactors.consent import ConsentState
from schemas.consent import encode_consent
from streams.agents.ingest import Ingest, register_ingest
from streams.engine import load_pipeline_engine
from streams.hooks import NullHooks
from streams.records import Route
from streams.tables import ConsentView, TableKeyProvider, keys_table

ENV = {"LOGWARDEN_PSEUDONYM_KEYS": f"t1:{base64.b64encode(os.urandom(32)).decode()}"}
FULL = ConsentState(subject_id="u1", analytics=True, profiling=True, marketing=True,
                    updated_at="2026-11-01T00:00:00Z")


class RecordingSender:
    """Stands in for TransactionalSender: keeps what would have been produced."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, topic: str, *, key: bytes | None, value: bytes | None,
                   partition: int, headers: list[tuple[str, bytes]] | None = None) -> None:
        self.sent.append({"topic": topic, "key": key, "value": value, "partition": partition,
                          "headers": dict(headers or [])})

    def to(self, topic: str) -> list[dict[str, Any]]:
        return [s for s in self.sent if s["topic"] == topic]


class Rig:
    def __init__(self) -> None:
        self.app = faust.App("ingest-agent-test", store="memory://", web_enabled=False)
        self.raw = self.app.topic("logs.raw", key_serializer="raw", value_serializer="raw")
        consent_topic = self.app.topic("privacy.consent", key_serializer="raw",
                                       value_serializer="raw")
        self.hooks = NullHooks()
        self.consent = ConsentView(self.app, consent_topic, 1, self.hooks, follow=False)
        self.keys = keys_table(self.app, 1)
        provider = TableKeyProvider(self.keys, self.hooks)
        self.sender = RecordingSender()
        self.ingest = Ingest(
            engine=load_pipeline_engine(None, provider, ENV), consent=self.consent,
            keys=provider, sender=self.sender, hooks=self.hooks,  # type: ignore[arg-type]
            outputs={Route.ANALYTICS: "analytics", Route.IDENTIFIABLE: "identifiable",
                     Route.DEADLETTER: "deadletter"})
        self.agent = register_ingest(self.app, self.raw, self.ingest, batch_size=10)

    async def consent_record(self, key: bytes | None, value: bytes | None) -> None:
        await self.consent._on_record(SimpleNamespace(message=SimpleNamespace(key=key,
                                                                               value=value)))


@pytest.fixture
def rig() -> Rig:
    return Rig()


def event(**fields: Any) -> bytes:
    return orjson.dumps({"user_id": "u1", "ip": "203.0.113.77", "email": "ann@example.org",
                         "path": "/cart?item=3", **fields})


async def test_full_consent_routes_analytics_and_encrypted_identifiable(rig: Rig) -> None:
    await rig.consent_record(*encode_consent(FULL))
    async with rig.agent.test_context() as agent:
        await agent.put(event(), key=None)
    analytics = rig.sender.to("analytics")
    assert len(analytics) == 1
    assert b"ann@example.org" not in analytics[0]["value"]
    assert b"203.0.113.77" not in analytics[0]["value"]
    assert analytics[0]["headers"]["lw-outcome"] == b"analytics"
    identifiable = rig.sender.to("identifiable")
    assert [r["key"] for r in identifiable] == [b"u1"]
    assert b"ann@example.org" not in identifiable[0]["value"]  # sealed per subject
    # The new subject key reached its changelog before the record it encrypts.
    topics = [s["topic"] for s in rig.sender.sent]
    assert topics.index(rig.keys.changelog_topic.get_topic_name()) < topics.index("identifiable")


DEEP = b"{\"a\":" * 2000 + b"1" + b"}" * 2000


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", b"{\"user_id\": ", DEEP])
async def test_bad_input_goes_to_deadletter_with_original_bytes(rig: Rig, raw: bytes) -> None:
    async with rig.agent.test_context() as agent:
        await agent.put(raw, key=None)
    assert [s["topic"] for s in rig.sender.sent] == ["deadletter"]
    record = rig.sender.sent[0]
    assert record["value"] == raw
    assert record["headers"]["lw-reason"]


async def test_child_is_dropped_and_nothing_is_sent(rig: Rig) -> None:
    child = ConsentState(subject_id="u1", analytics=True, birth_year=2015,
                         updated_at="2026-11-01T00:00:00Z")
    await rig.consent_record(*encode_consent(child))
    async with rig.agent.test_context() as agent:
        await agent.put(event(), key=None)
    assert rig.sender.sent == []


async def test_a_child_stays_dropped_after_its_consent_tombstone(rig: Rig) -> None:
    # Erasing a child tombstones its consent; the suppression entry may arrive later.
    child = ConsentState(subject_id="u1", analytics=True, birth_year=2015,
                         updated_at="2026-11-01T00:00:00Z")
    await rig.consent_record(*encode_consent(child))
    await rig.consent_record(b"u1", None)
    async with rig.agent.test_context() as agent:
        await agent.put(event(), key=None)
    assert rig.sender.sent == []


async def test_invalid_consent_is_counted_and_the_last_valid_state_kept(rig: Rig) -> None:
    await rig.consent_record(*encode_consent(FULL))
    await rig.consent_record(b"u1", b"{\"subject_id\": \"u1\", \"analytics\": \"yes\"}")
    await rig.consent_record(b"u1", b"not json")
    assert rig.consent.rejected == 2
    assert rig.consent.get("u1") == FULL
    await rig.consent_record(b"u1", None)  # tombstone: back to the policy default
    assert rig.consent.get("u1") is None


async def test_engine_failure_fails_closed(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(parsed: Any, consent: Any) -> Any:
        raise RuntimeError("ann@example.org")  # an error text holding PII must not leak

    monkeypatch.setattr(rig.ingest._engine, "route", boom)
    async with rig.agent.test_context() as agent:
        await agent.put(event(), key=None)
    assert [s["topic"] for s in rig.sender.sent] == ["deadletter"]
    assert rig.sender.sent[0]["headers"]["lw-reason"] == b"engine_error:RuntimeError"
