"""The router: one engine call per raw record, failing closed, counted in a tally."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest

from redactors.consent import ConsentState
from redactors.engine import Engine, load_engine
from redactors.keys import InMemoryKeyProvider, KeyProvider
from redactors.result import RoutedResult
from streams.dataplane.router import Router
from streams.dataplane.tally import BatchTally
from streams.records import Route, SourceRef

OUTPUTS = {Route.ANALYTICS: "a", Route.IDENTIFIABLE: "i", Route.DEADLETTER: "d"}
SOURCE = SourceRef("logs.raw", 2, 41)


class Consents:
    def __init__(self, **states: ConsentState) -> None:
        self.states = states

    def get(self, subject_id: str) -> ConsentState | None:
        return self.states.get(subject_id)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine(None, InMemoryKeyProvider(), {}, allow_ephemeral=True)


def router(engine: object, *, consents: Consents | None = None,
           suppressed: frozenset[str] = frozenset(),
           children: list[str] | None = None) -> Router:
    found = children if children is not None else []
    return Router(engine=engine, consent=consents or Consents(),  # type: ignore[arg-type]
                  is_suppressed=suppressed.__contains__, on_child=found.append,
                  outputs=OUTPUTS)


def event(**fields: object) -> bytes:
    return orjson.dumps({"user_id": "u-1", "ip": "198.51.100.23", "email": "a@example.org",
                         "ts": "2026-11-25T10:00:00Z", **fields})


FULL = ConsentState(subject_id="u-1", analytics=True, profiling=True, marketing=True)


def test_full_consent_goes_to_analytics_and_identifiable_with_its_source(engine):
    tally = BatchTally("logs.raw", 2)
    keys = InMemoryKeyProvider()
    records = router(engine, consents=Consents(**{"u-1": FULL})).records(
        event(), SOURCE, keys, tally, timestamp_ms=1_700_000_000_000)
    assert [r.route for r in records] == [Route.ANALYTICS, Route.IDENTIFIABLE]
    assert all(("lw-src", b"2:41") in r.headers for r in records)
    assert b"a@example.org" not in records[0].value
    assert keys.get("u-1") is not None  # the partition's provider sealed the record
    assert (tally.events, tally.outcomes["analytics"], tally.timestamps) == (
        1, 1, [1_700_000_000.0])


def test_a_suppressed_subject_is_dropped_whatever_its_consent(engine):
    tally = BatchTally("logs.raw", 0)
    r = router(engine, consents=Consents(**{"u-1": FULL}), suppressed=frozenset({"u-1"}))
    assert r.records(event(), SOURCE, InMemoryKeyProvider(), tally, None) == []
    assert tally.outcomes["dropped"] == 1


def test_a_child_found_in_the_event_is_dropped_and_reported(engine):
    children: list[str] = []
    tally = BatchTally("logs.raw", 0)
    records = router(engine, children=children).records(
        event(birth_year=2019), SOURCE, InMemoryKeyProvider(), tally, None)
    assert (records, children) == ([], ["u-1"])


@pytest.mark.parametrize(("raw", "reason"), [
    (None, b"empty_value"),
    (b"\xff\xfe not utf-8", b"invalid_utf8"),
    (b"[1, 2]", None),
])
def test_bad_input_becomes_a_dead_letter_with_the_original_bytes(engine, raw, reason):
    tally = BatchTally("logs.raw", 0)
    records = router(engine).records(raw, SOURCE, InMemoryKeyProvider(), tally, None)
    assert [r.route for r in records] == [Route.DEADLETTER]
    assert records[0].value == (raw or b"")
    headers = dict(records[0].headers)
    if reason is not None:
        assert headers["lw-reason"] == reason
    assert sum(tally.deadletters.values()) == 1


class Exploding:
    def route_raw(self, raw: bytes, consent_of: Callable[[str], ConsentState | None],
                  keys: KeyProvider | None = None) -> RoutedResult:
        raise RuntimeError("boom: a@example.org")


def test_an_engine_exception_fails_closed_without_the_value():
    tally = BatchTally("logs.raw", 0)
    records = router(Exploding()).records(event(), SOURCE, InMemoryKeyProvider(), tally, None)
    assert [r.route for r in records] == [Route.DEADLETTER]
    assert dict(records[0].headers)["lw-reason"] == b"engine_error:RuntimeError"
    assert tally.deadletters == {"engine_error:RuntimeError": 1}


def test_a_failing_consent_lookup_fails_closed(engine):
    class Broken:
        def get(self, subject_id: str) -> ConsentState | None:
            raise KeyError(subject_id)

    records = router(engine, consents=Broken()).records(  # type: ignore[arg-type]
        event(), SOURCE, InMemoryKeyProvider(), BatchTally("t", 0), None)
    assert [r.route for r in records] == [Route.DEADLETTER]
    assert dict(records[0].headers)["lw-reason"] == b"consent_error"
