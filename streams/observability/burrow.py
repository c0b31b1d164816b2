"""Burrow's partition status rules over a window of recent commits, as a pure function."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

__all__ = ["Commit", "Status", "evaluate_partition", "group_status"]


class Status(IntEnum):
    """Burrow's status codes (core/protocol/evaluator.go), exported as metric values."""

    NOTFOUND = 0
    OK = 1
    WARN = 2
    ERR = 3
    STOP = 4
    STALL = 5
    REWIND = 6


@dataclass(frozen=True, slots=True)
class Commit:
    """One committed offset seen in the window, with the lag it had then."""

    offset: int
    lag: int
    timestamp: float  # seconds since the epoch


def _rewound(window: Sequence[Commit]) -> bool:
    """The latest commit is below an earlier one: the offset went down and stayed down."""
    return window[-1].offset < max(c.offset for c in window[:-1])


def _stopped(window: Sequence[Commit], now: float) -> bool:
    """Longer since the last commit than the whole window spans."""
    first, last = window[0].timestamp, window[-1].timestamp
    return now - last > last - first


def _stalled(window: Sequence[Commit]) -> bool:
    return all(c.offset == window[0].offset for c in window)


def _lag_never_decreased(window: Sequence[Commit]) -> bool:
    return all(b.lag >= a.lag for a, b in itertools.pairwise(window))


def evaluate_partition(window: Sequence[Commit], *, current_lag: int | None, now: float,
                       members: int = 1, allowed_lag: int = 0) -> Status:
    """Burrow's rules (caching.go, v1.9.5 order) for one partition.

    Two additions, because we poll offsets instead of reading every commit: a group with
    no live members and lag is STOP at once, and the rate rules (STOP by time, STALL,
    WARN) need two commits in the window, since one commit shows no cadence or trend.
    """
    if current_lag is None or not window:
        return Status.NOTFOUND
    if current_lag <= allowed_lag:
        return Status.OK
    if members == 0:
        return Status.STOP
    if len(window) < 2:
        return Status.OK
    if _stopped(window, now):
        return Status.STOP
    if _rewound(window):
        return Status.REWIND
    if all(c.lag > allowed_lag for c in window):
        if _stalled(window):
            return Status.STALL
        if _lag_never_decreased(window):
            return Status.WARN
    return Status.OK


def group_status(statuses: Iterable[Status]) -> Status:
    """The worst partition status; STOP, STALL and REWIND count as ERR (caching.go:235)."""
    worst = Status.NOTFOUND
    for status in statuses:
        folded = Status.ERR if status >= Status.STOP else status
        worst = max(worst, folded)
    return worst
