"""The status page's JSON document: throughput, lag, routes, recent dead-letter reasons."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from streams.observability.health import Readiness
from streams.observability.lag import LagSnapshot
from streams.observability.observer import PipelineObserver

__all__ = ["Throughput", "status_document"]


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


def status_document(*, group: str, observer: PipelineObserver, throughput: Throughput,
                    readiness: Readiness, lag: LagSnapshot | None,
                    lag_sampled_at: float | None) -> dict[str, Any]:
    """Everything the page shows; reason codes and counts only, never event values."""
    partitions = [] if lag is None else [
        {"topic": p.topic, "partition": p.partition, "committed": p.committed,
         "latest": p.latest, "lag": p.lag, "lag_seconds": p.lag_seconds,
         "status": p.status.name}
        for p in lag.partitions]
    return {
        "group": group,
        "now": time.time(),
        "ready": readiness.as_dict(),
        "throughput": {"events_in_per_second": round(throughput.rate, 2),
                       "events_in_total": observer.events_in},
        "routes": dict(sorted(observer.routes.items())),
        "lag": {"sampled_at": lag_sampled_at,
                "group_status": None if lag is None else lag.status.name,
                "members": None if lag is None else lag.members,
                "max_lag": None if lag is None else lag.max_lag,
                "max_lag_seconds": None if lag is None else lag.max_lag_seconds,
                "partitions": partitions},
        "recent_deadletters": [{"at": at, "reason": reason}
                               for at, reason in reversed(observer.recent_deadletters)],
    }
