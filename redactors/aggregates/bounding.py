"""Contribution bounding: per user and window, at most L0 distinct keys, each once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from redactors.aggregates.spec import MetricSpec

__all__ = ["ContributionBounder", "WindowCounts"]


@dataclass(slots=True)
class WindowCounts:
    """One metric's window: which keys each user gave (raw state) and the bounded counts."""

    start: int  # seconds since the epoch
    users: dict[str, tuple[str, ...]] = field(default_factory=dict)  # subject hash -> keys
    counts: Counter[str] = field(default_factory=Counter)
    ignored: int = 0  # contributions past a user's bound

    def add(self, user: str, key: str, l0: int) -> bool:
        keys = self.users.get(user, ())
        if key in keys:
            return False
        if len(keys) >= l0:
            self.ignored += 1
            return False
        self.users[user] = (*keys, key)
        self.counts[key] += 1
        return True


class ContributionBounder:
    """Open windows of every metric. First come first counted: which keys a user keeps
    depends on that user's own events only."""

    def __init__(self, metrics: tuple[MetricSpec, ...]) -> None:
        self.metrics = metrics
        self.windows: list[dict[int, WindowCounts]] = [{} for _ in metrics]

    def window_of(self, metric: int, at: float) -> int:
        size = self.metrics[metric].window_seconds
        return int(at // size) * size

    def add(self, metric: int, at: float, user: str, key: str) -> bool:
        """Count `key` for `user` in the window holding time `at`; False when bounded out."""
        start = self.window_of(metric, at)
        window = self.windows[metric].get(start)
        if window is None:
            window = self.windows[metric][start] = WindowCounts(start)
        return window.add(user, key, self.metrics[metric].max_keys_per_user)

    def pop(self, metric: int, start: int) -> WindowCounts:
        """Take a window out (its raw per-user state goes with it); empty if never opened."""
        return self.windows[metric].pop(start, None) or WindowCounts(start)

    @property
    def users_held(self) -> int:
        return sum(len(w.users) for windows in self.windows for w in windows.values())
