"""The data plane's side of aggregation: which metric keys an analytics event counts for.

One small record per event that counts anywhere, keyed by the subject's keyed hash, to
the contributions topic, in the input partition's producer batch (and transaction).
The aggregator (streams.dataplane.aggregation) bounds and counts them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from redactors.aggregates import AggregatePlan, contributions_of
from redactors.result import Outcome, RoutedResult
from schemas import codec
from streams.records import Route, TopicRecord

__all__ = ["ContributionTap"]


class ContributionTap:
    """Routed result in, a contribution record out (or None: it counts nowhere)."""

    def __init__(self, plan: AggregatePlan, subject_hash: Callable[[str], str],
                 clock: Callable[[], float] = time.time) -> None:
        self._plan = plan
        self._hash = subject_hash
        self._clock = clock
        self._public = tuple(None if m.public_keys is None else frozenset(m.public_keys)
                             for m in plan.metrics)

    def __call__(self, result: RoutedResult, timestamp_ms: int | None) -> TopicRecord | None:
        if (result.outcome is not Outcome.ANALYTICS or result.analytics is None
                or result.subject_id is None):
            return None
        keys = contributions_of(self._plan, result.analytics, result.privacy.get("tier", ""),
                                self._public)
        if not any(k is not None for k in keys):
            return None
        at = timestamp_ms / 1000 if timestamp_ms is not None else self._clock()
        return TopicRecord(Route.CONTRIBUTION, self._hash(result.subject_id).encode(),
                           codec.dumps({"t": at, "k": keys}), [])
