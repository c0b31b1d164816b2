"""The data plane's side of aggregation: which metric keys analytics events count for.

The router hands every analytics result to the tap; after each raw partition's share of
a fetched batch, the data plane takes what the tap collected as ONE record (a list of
[subject hash, time, keys per metric]) for the contributions topic, in that partition's
producer batch and, under exactly-once, its transaction. One record per batch instead
of one per event keeps the producer's and the aggregator's per-record cost off the hot
path. Repeats within a batch (same subject, window and keys) are sent once: counting is
distinct per user, so they could change nothing. The aggregator
(streams.dataplane.aggregation) bounds and counts them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from redactors import codec
from redactors.aggregates import AggregatePlan, contributions_of
from redactors.result import RoutedResult
from streams.records import Route, TopicRecord

__all__ = ["ContributionTap"]


class ContributionTap:
    """Collects contributions of routed results; `take` empties it into one record."""

    def __init__(self, plan: AggregatePlan, subject_hash: Callable[[str], str],
                 clock: Callable[[], float] = time.time) -> None:
        self._plan = plan
        self._hash = subject_hash
        self._clock = clock
        self._public = tuple(None if m.public_keys is None else frozenset(m.public_keys)
                             for m in plan.metrics)
        self._smallest = min(m.window_seconds for m in plan.metrics)
        self._pending: list[list[Any]] = []
        self._seen: set[tuple[str, int, tuple[str | None, ...]]] = set()

    def __call__(self, result: RoutedResult, timestamp_ms: int | None) -> None:
        if result.analytics is None or result.subject_id is None:
            return
        tier = (result.privacy.tier if result.privacy is not None else None) or ""
        keys = contributions_of(self._plan, result.analytics, tier, self._public)
        if all(k is None for k in keys):
            return
        at = timestamp_ms / 1000 if timestamp_ms is not None else self._clock()
        subject = self._hash(result.subject_id)
        seen = (subject, int(at // self._smallest), tuple(keys))
        if seen in self._seen:
            return
        self._seen.add(seen)
        self._pending.append([subject, at, keys])

    def take(self) -> TopicRecord | None:
        if not self._pending:
            return None
        value = codec.dumps({"c": self._pending})
        self._pending, self._seen = [], set()
        return TopicRecord(Route.CONTRIBUTION, None, value, [])
