"""The last 15 minutes of throughput and lag, for the status page's charts."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

__all__ = ["History"]


@dataclass(frozen=True, slots=True)
class _Point:
    at: float
    events_in: int
    routes: tuple[tuple[str, int], ...]
    lag_seconds: float | None


class History:
    """Running totals read every `step` seconds over `span` seconds; rates come out."""

    def __init__(self, span: float = 900.0, step: float = 5.0) -> None:
        self.span, self.step = span, step
        self._points: deque[_Point] = deque(maxlen=int(span // step) + 1)

    def record(self, events_in: int, routes: Mapping[str, int], lag_seconds: float | None,
               now: float | None = None) -> bool:
        """Keep a reading if `step` has passed since the last one; True when kept."""
        now = time.time() if now is None else now
        if self._points and now - self._points[-1].at < self.step:
            return False
        self._points.append(_Point(now, events_in, tuple(sorted(routes.items())),
                                   lag_seconds))
        return True

    def series(self) -> dict[str, object]:
        """Per-second rates between readings (in, and out per route) and the time lag."""
        points = list(self._points)
        routes = sorted({route for p in points for route, _n in p.routes})
        times, rate_in, lag = [], [], []
        rate_out: dict[str, list[float]] = {route: [] for route in routes}
        for before, after in pairwise(points):
            dt = after.at - before.at
            times.append(round(after.at, 1))
            rate_in.append(round(max(0, after.events_in - before.events_in) / dt, 2))
            old, new = dict(before.routes), dict(after.routes)
            for route in routes:
                delta = max(0, new.get(route, 0) - old.get(route, 0))
                rate_out[route].append(round(delta / dt, 2))
            lag.append(None if after.lag_seconds is None else round(after.lag_seconds, 1))
        return {"span_seconds": self.span, "step_seconds": self.step, "t": times,
                "in_per_second": rate_in, "out_per_second": rate_out,
                "lag_seconds": lag}
