"""The status page's JSON document: throughput, lag, routes, recent dead-letter reasons."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from streams.observability.health import Readiness
from streams.observability.history import History
from streams.observability.lag import LagSnapshot, PartitionLag
from streams.observability.observer import PipelineObserver

__all__ = ["IDLE", "Throughput", "status_document"]


class Throughput:
    """Events per second over a sliding span, from periodic readings of a running total."""

    def __init__(self, span: float = 10.0) -> None:
        self.span = span
        self._points: deque[tuple[float, int]] = deque()

    def tick(self, total: int, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._points.append((now, total))
        while len(self._points) > 2 and now - self._points[0][0] > self.span:
            self._points.popleft()

    @property
    def rate(self) -> float:
        if len(self._points) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._points[0], self._points[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0


IDLE = "IDLE"  # a partition never written to and never committed: nothing to do, no fault


def _partition_status(p: PartitionLag) -> str:
    return IDLE if p.latest == 0 and p.committed is None else p.status.name


def _group_status(lag: LagSnapshot | None) -> str | None:
    if lag is None:
        return None
    if lag.partitions and all(p.latest == 0 and p.committed is None for p in lag.partitions):
        return IDLE
    return lag.status.name


def status_document(*, group: str, observer: PipelineObserver, throughput: Throughput,
                    readiness: Readiness, lag: LagSnapshot | None,
                    lag_sampled_at: float | None,
                    worker: dict[str, Any] | None = None,
                    history: History | None = None) -> dict[str, Any]:
    """Everything the page shows; reason codes and counts only, never event values.
    `worker`: facts about this worker (policy version, table sizes, restarts, broker)."""
    partitions = [] if lag is None else [
        {"topic": p.topic, "partition": p.partition, "committed": p.committed,
         "latest": p.latest, "lag": p.lag, "lag_seconds": p.lag_seconds,
         "status": _partition_status(p)}
        for p in lag.partitions]
    return {
        "group": group,
        "now": time.time(),
        "ready": readiness.as_dict(),
        "worker": worker or {},
        "history": None if history is None else history.series(),
        "throughput": {"events_in_per_second": round(throughput.rate, 2),
                       "events_in_total": observer.events_in},
        "routes": dict(sorted(observer.routes.items())),
        "lag": {"sampled_at": lag_sampled_at,
                "group_status": _group_status(lag),
                "members": None if lag is None else lag.members,
                "max_lag": None if lag is None else lag.max_lag,
                "max_lag_seconds": None if lag is None else lag.max_lag_seconds,
                "partitions": partitions},
        "recent_deadletters": [{"at": at, "reason": reason}
                               for at, reason in reversed(observer.recent_deadletters)],
    }
