"""Walk plans (redactors/walkplan.py) give exactly what the generic walk gives.

A plan is compiled for an object shape once it recurs; these tests compile one for every
shape at once and compare every output, byte for byte, with an engine that never plans.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redactors import treat
from redactors.consent import ConsentState
from redactors.engine import Engine
from tests import golden

# Field names the default policy classifies, names it does not, and names that pair up.
KEYS = st.sampled_from([
    "ip", "email", "name", "user_id", "uid", "geo", "lat", "lon", "city", "country",
    "password", "message", "msg", "url", "ts", "session_id", "headers", "user", "id",
    "phone", "card", "cookie", "user_agent", "value", "key", "tags", "items", "status",
    "count", "a", "b", "level", "error", "stack", "token", "address", "birth_year",
])
STRINGS = st.sampled_from([
    "", "ok", "password", "email", "Ada Lovelace", "ada@example.com", "81.2.69.160",
    "2001:db8::1", "u_9118000f49c8", "3f2a9c1e-4b5d-4e6f-8a7b-9c0d1e2f3a4b",
    "2026-11-25T10:17:01Z", "2026-11-25T10:17:01.123Z", "not a time", "4111 1111 1111 1111",
    "+44 20 7946 0958", "https://u:pw@example.com/p?email=a%40b.example", "checkout",
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0", "call me at +1 202 555 0143",
])
SCALARS = st.one_of(STRINGS, st.none(), st.booleans(),
                    st.sampled_from([0, 7, 1990, 12345678, -98765432, 4111111111111111]),
                    st.sampled_from([0.5, 48.8566, 12345678.0, -1e300]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)), max_leaves=8)
EVENTS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=8)
CONSENTS = st.sampled_from([
    None, ConsentState(subject_id="s", analytics=True, profiling=True, marketing=True),
    ConsentState(subject_id="s", analytics=True), ConsentState(subject_id="s")])


@pytest.fixture(scope="module")
def engines() -> tuple[Engine, Engine]:
    return golden.golden_engine(), golden.golden_engine()


def _lines(engine: Engine, raw: bytes, consent: ConsentState | None, plan_after: int,
           times: int) -> list[bytes]:
    keys = golden.DerivedKeyProvider()
    with patch.object(treat, "_PLAN_AFTER", plan_after), \
            patch.object(treat, "_PLANS_AT_START", 10**9), \
            patch.object(treat, "_PLANS_PER_NODE", 10**9):  # no rationing: every shape
        return [golden.canonical(engine(raw, consent), keys) for _ in range(times)]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=EVENTS, consent=CONSENTS)
def test_a_planned_walk_gives_the_generic_walks_bytes(
        engines: tuple[Engine, Engine], event: dict[str, Any],
        consent: ConsentState | None) -> None:
    generic, planned = engines
    raw = orjson.dumps(event)
    [expected] = _lines(generic, raw, consent, 10**9, 1)
    # The first sight compiles every shape of the event, the second runs the plans.
    assert _lines(planned, raw, consent, 1, 2) == [expected, expected]


def test_recurring_shapes_get_plans_that_keep_the_output() -> None:
    planned = golden.golden_engine()
    raw = orjson.dumps({"user_id": "u-plan", "status": 200, "geo": {"city": "Lyon"},
                        "headers": {"Accept": "text/html", "Referer": "https://e.example/"}})
    consent = ConsentState(subject_id="u-plan", analytics=True, profiling=True)
    with patch.object(treat, "_PLAN_AFTER", 3):
        outputs = {orjson.dumps(planned(raw, consent).analytics) for _ in range(5)}
    assert len(outputs) == 1
    treater = planned._treaters[planned.tier_of(consent)]
    shape = ("user_id", "status", "geo", "headers")
    assert callable(treater._root.plans[shape])
    assert callable(treater._root.children["headers"].plans[("Accept", "Referer")])


def test_one_off_shapes_are_never_compiled() -> None:
    planned = golden.golden_engine()
    consent = ConsentState(subject_id="s", analytics=True)
    for i in range(40):  # random field names: each shape seen once, at most 16 counted
        planned(orjson.dumps({"user_id": "s", f"field{i}": i}), consent)
    plans = planned._treaters[planned.tier_of(consent)]._root.plans
    assert not any(callable(plan) for plan in plans.values())
    assert len(plans) <= treat._PLANS_PER_NODE


def test_rare_shapes_do_not_keep_a_common_one_from_its_plan() -> None:
    planned = golden.golden_engine()
    consent = ConsentState(subject_id="s", analytics=True)
    for i in range(40):  # rare shapes first: every slot of the root taken by a count
        planned(orjson.dumps({"user_id": "s", f"rare{i}": i}), consent)
    for _ in range(treat._PLAN_AFTER):
        planned(orjson.dumps({"user_id": "s", "status": 200}), consent)
    plans = planned._treaters[planned.tier_of(consent)]._root.plans
    assert callable(plans[("user_id", "status")])


def test_compiling_is_rationed_by_events() -> None:
    # Shapes made up to recur: 100 paths with one shape each, each sent four times.
    planned = golden.golden_engine()
    consent = ConsentState(subject_id="s", analytics=True)
    for _ in range(treat._PLAN_AFTER):
        for i in range(100):
            planned(orjson.dumps({"user_id": "s", f"made{i}": {"a": 1}}), consent)
    treater = planned._treaters[planned.tier_of(consent)]
    compiled = sum(callable(plan) for node in [treater._root, *treater._root.children.values()]
                   for plan in node.plans.values())
    assert compiled == treater._compiled == treat._PLANS_AT_START  # 400 events earn no more


def test_the_property_test_runs_planned_walks(engines: tuple[Engine, Engine]) -> None:
    generic, planned = engines
    raw = orjson.dumps({"user_id": "u-p", "ip": "81.2.69.160", "tags": ["a"], "n": {"b": 1}})
    _lines(planned, raw, None, 1, 2)
    _lines(generic, raw, None, 10**9, 2)
    root = planned._treaters[planned.tier_of(None)]._root
    assert callable(root.plans[("user_id", "ip", "tags", "n")])
    assert not any(callable(plan) for plan in generic._treaters[
        generic.tier_of(None)]._root.plans.values())
