"""The pipeline hooks implementation: counts into metrics and a small status tally."""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from streams.observability.labels import ROUTES, LabelGuard
from streams.observability.metrics import PipelineMetrics

if TYPE_CHECKING:
    from streams.dataplane.tally import BatchTally

__all__ = ["RIGHTS_KINDS", "PipelineObserver"]

RIGHTS_KINDS = ("access", "correct", "erase")
_RECENT = 20


class PipelineObserver:
    """Implements `streams.hooks.PipelineHooks`; cheap, and never raises on bad input."""

    def __init__(self, metrics: PipelineMetrics, guard: LabelGuard) -> None:
        self.metrics, self.guard = metrics, guard
        self.routes: Counter[str] = Counter(dict.fromkeys(ROUTES, 0))
        self.events_in = 0
        self.recent_deadletters: deque[tuple[float, str]] = deque(maxlen=_RECENT)
        self.last_rebalance: float | None = None
        # Sizes the status page shows, registered by the app once the tables exist.
        self.table_sizes: dict[str, Callable[[], int]] = {}
        for route in ROUTES:
            metrics.events_out.labels(route)
        for kind in RIGHTS_KINDS:
            metrics.rights_seconds.labels(kind)

    def on_event_in(self, topic: str, partition: int) -> None:
        self.events_in += 1
        self.metrics.events_in.labels(topic, str(partition)).inc()

    def on_routed(self, outcome: str, categories: Sequence[str], seconds: float,
                  event_timestamp: float | None) -> None:
        route = self.guard.route(str(outcome))
        self.routes[route] += 1
        self.metrics.events_out.labels(route).inc()
        for category in categories:
            self.metrics.transforms.labels(self.guard.category(category)).inc()
        self.metrics.processing.observe(max(0.0, seconds))
        if event_timestamp is not None:
            self.metrics.e2e.observe(max(0.0, time.time() - event_timestamp))

    def on_batch(self, tally: BatchTally) -> None:
        """A batch's counts in one update per label (the per-event calls cost more than
        the engine's cheapest events)."""
        self.events_in += tally.events
        self.metrics.events_in.labels(tally.topic, str(tally.partition)).inc(tally.events)
        for outcome, n in tally.outcomes.items():
            route = self.guard.route(str(outcome))
            self.routes[route] += n
            self.metrics.events_out.labels(route).inc(n)
        for category, n in tally.categories.items():
            self.metrics.transforms.labels(self.guard.category(category)).inc(n)
        for reason, n in tally.deadletters.items():
            code = self.guard.reason(str(reason))
            self.metrics.deadletters.labels(code).inc(n)
            self.recent_deadletters.append((time.time(), code))
        self.metrics.processing.observe_many(tally.seconds)
        now = time.time()
        self.metrics.e2e.observe_many([max(0.0, now - t) for t in tally.timestamps])

    def on_assigned(self, partitions: int) -> None:
        self.last_rebalance = time.time()
        self.metrics.rebalances.inc()
        self.metrics.assigned.set(partitions)

    def on_deadletter(self, reason: str) -> None:
        code = self.guard.reason(str(reason))
        self.metrics.deadletters.labels(code).inc()
        self.recent_deadletters.append((time.time(), code))

    def on_consent_rejected(self, reason: str) -> None:
        self.metrics.consent_rejected.labels(self.guard.reason(str(reason))).inc()

    def on_key_created(self) -> None:
        self.metrics.keys_created.inc()

    def on_rights_request(self, kind: str, status: str, seconds: float) -> None:
        """A data-subject request finished (`kind`: access, correct, erase)."""
        label = kind if kind in RIGHTS_KINDS else "other"
        self.metrics.rights.labels(label, self.guard.reason(str(status))).inc()
        self.metrics.rights_seconds.labels(label).observe(max(0.0, seconds))
