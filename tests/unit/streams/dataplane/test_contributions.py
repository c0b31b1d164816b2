"""The data plane's contribution tap with the real engine, and the release record's schema."""

from __future__ import annotations

import json
from importlib import resources

import orjson
import pytest
from jsonschema import Draft202012Validator

from redactors import codec
from redactors.aggregates import MetricRelease
from redactors.aggregates.record import release_record
from redactors.consent import ConsentState
from redactors.engine import Engine, load_engine
from redactors.keys import InMemoryKeyProvider
from redactors.policy import load_policy
from streams.dataplane.contributions import ContributionTap
from streams.dataplane.router import Router
from streams.dataplane.tally import BatchTally
from streams.records import Route, SourceRef

PLAN = load_policy().aggregates
OUTPUTS = {Route.ANALYTICS: "a", Route.IDENTIFIABLE: "i", Route.DEADLETTER: "d",
           Route.CONTRIBUTION: "c"}
EVENT = orjson.dumps({"event": "login", "user_id": "u1", "url": "/cart?id=7",
                      "geo": {"country": "FR", "city": "Lyon"}, "ts": "2026-11-25T10:00:00Z",
                      "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 "
                                    "Firefox/121.0"})


class Consents:
    def __init__(self, state: ConsentState | None) -> None:
        self.state = state

    def get(self, subject_id: str) -> ConsentState | None:
        return self.state


@pytest.fixture(scope="module")
def engine() -> Engine:
    return load_engine(None, InMemoryKeyProvider(), {}, allow_ephemeral=True)


def _records(engine: Engine, consent: ConsentState | None, *, suppressed: bool = False,
             ) -> list[tuple[Route, bytes | None, bytes]]:
    router = Router(engine=engine, consent=Consents(consent),
                    is_suppressed=lambda _s: suppressed, on_child=lambda _s: None,
                    outputs=OUTPUTS, tap=ContributionTap(PLAN, lambda s: f"h:{len(s)}"))
    records = [router.records(EVENT, SourceRef("logs.raw", 0, n), InMemoryKeyProvider(),
                              BatchTally("logs.raw", 0), 1_764_547_200_000 + n)
               for n in range(2)]  # the same event twice in a batch
    taken = router.take_contributions()
    assert router.take_contributions() is None  # taken once
    out = [(r.route, r.key, r.value) for batch in records for r in batch]
    return out + ([] if taken is None else [(taken.route, taken.key, taken.value)])


def test_a_consented_event_contributes_its_keys_under_the_subject_hash(engine: Engine) -> None:
    full = ConsentState(subject_id="u1", analytics=True, profiling=True, marketing=True)
    contributions = [r for r in _records(engine, full) if r[0] is Route.CONTRIBUTION]
    assert len(contributions) == 1
    _, key, value = contributions[0]
    assert key is None
    # once per batch, under the keyed hash (never the subject id)
    assert codec.loads(value) == {"c": [["h:2", 1_764_547_200.0, ["/cart", "FR", "Firefox"]]]}


@pytest.mark.parametrize("consent", [
    None,  # no consent event: the default tier
    ConsentState(subject_id="u1", analytics=False, profiling=False, marketing=False),
    ConsentState(subject_id="u1", analytics=True, profiling=True, marketing=True,
                 birth_year=2016),
])
def test_no_analytics_consent_or_a_child_contributes_nothing(
        engine: Engine, consent: ConsentState | None) -> None:
    assert all(route is not Route.CONTRIBUTION for route, _, _ in _records(engine, consent))


def test_an_erased_subject_contributes_nothing(engine: Engine) -> None:
    full = ConsentState(subject_id="u1", analytics=True, profiling=True, marketing=True)
    assert _records(engine, full, suppressed=True) == []  # dropped, and nothing counted


def test_release_records_follow_their_schema() -> None:
    text = resources.files("schemas").joinpath("aggregate-release.schema.json").read_text()
    validator = Draft202012Validator(json.loads(text))
    for metric in PLAN.metrics:
        release = MetricRelease(metric)
        record = release_record(release, 1_764_547_200, release({"FR": 500, "/a": 500}),
                                released_at=1_764_640_000.5, policy="v1")
        assert list(validator.iter_errors(json.loads(codec.dumps(record)))) == []
        assert record["window"]["end"] == "2025-12-02T00:00:00Z"
