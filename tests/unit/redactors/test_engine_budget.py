"""The per-event CPU budget: an event over it is dead-lettered, never routed."""

from __future__ import annotations

import gc
from dataclasses import replace
from time import thread_time

import orjson
import pytest

from redactors.consent import ConsentState
from redactors.engine import Engine
from redactors.keys import InMemoryKeyProvider
from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.result import Outcome
from tests.unit.redactors.engine_fakes import PatternScanner

FULL = ConsentState(subject_id="u-1", analytics=True, profiling=True, marketing=True)
EVENT = orjson.dumps({"user_id": "u-1", "message": "paid from 81.2.69.160", "note": "slow"})


class SlowScanner(PatternScanner):
    """Burns `cpu_ms` of this thread's CPU time on every text it redacts."""

    def __init__(self, cpu_ms: float) -> None:
        super().__init__()
        self.cpu_ms = cpu_ms

    def redact(self, text: str) -> tuple[str, frozenset[str]]:
        until = thread_time() + self.cpu_ms / 1000
        while thread_time() < until:
            pass
        return super().redact(text)


def engine_with(budget_ms: float, scanner: PatternScanner) -> Engine:
    policy = replace(load_policy(), event_budget_ms=budget_ms)
    return Engine(policy, keys=InMemoryKeyProvider(),
                  pseudonym_keys=PseudonymKeyring.ephemeral_keyring(), scanner=scanner)


def test_the_default_policy_sets_a_budget() -> None:
    assert load_policy().event_budget_ms == 50


@pytest.mark.parametrize(("budget_ms", "cpu_ms", "outcome", "reason"), [
    (5, 20, Outcome.DEADLETTER, "budget_exceeded"),
    (1000, 1, Outcome.ANALYTICS, None),
])
def test_an_event_over_its_cpu_budget_is_dead_lettered(
    budget_ms: float, cpu_ms: float, outcome: Outcome, reason: str | None
) -> None:
    result = engine_with(budget_ms, SlowScanner(cpu_ms))(EVENT, FULL)
    assert (result.outcome, result.reason) == (outcome, reason)
    if outcome is Outcome.DEADLETTER:
        assert (result.analytics, result.identifiable) == (None, None)


def test_the_budget_is_per_event() -> None:
    scanner = SlowScanner(20)
    engine = engine_with(5, scanner)
    assert engine(EVENT, FULL).reason == "budget_exceeded"
    scanner.cpu_ms = 0
    assert engine(EVENT, FULL).outcome is Outcome.ANALYTICS


class CollectingScanner(PatternScanner):
    """Runs a full garbage collection of a large heap on every text it redacts."""

    def __init__(self, heap: list[object]) -> None:
        super().__init__()
        self.heap = heap
        self.collected_ms = 0.0

    def redact(self, text: str) -> tuple[str, frozenset[str]]:
        started = thread_time()
        gc.collect()
        self.collected_ms = max(self.collected_ms, (thread_time() - started) * 1000)
        return super().redact(text)


def test_a_full_garbage_collection_does_not_count_against_the_event() -> None:
    scanner = CollectingScanner([{"n": [i]} for i in range(400_000)])
    result = engine_with(5, scanner)(EVENT, FULL)
    assert scanner.collected_ms > 5  # the collection alone took longer than the budget
    assert (result.outcome, result.reason) == (Outcome.ANALYTICS, None)
