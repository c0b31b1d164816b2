"""Burrow's status rules, as tables of windows."""

from __future__ import annotations

import pytest

from streams.observability.burrow import Commit, Status, evaluate_partition, group_status


def w(*rows: tuple[int, int, float]) -> tuple[Commit, ...]:
    """(offset, lag, timestamp) rows."""
    return tuple(Commit(offset=o, lag=lag, timestamp=t) for o, lag, t in rows)


PROGRESSING = w((10, 5, 0), (20, 4, 10), (30, 3, 20))


@pytest.mark.parametrize(("window", "lag", "now", "members", "expected"), [
    # caught up is OK whatever the window says
    (w((10, 0, 0), (10, 0, 10)), 0, 500, 1, Status.OK),
    (w((10, 5, 0), (9, 5, 10)), 0, 11, 1, Status.OK),
    # nothing committed, or no window: NOTFOUND
    ((), 5, 10, 1, Status.NOTFOUND),
    (w((10, 5, 0)), None, 10, 1, Status.NOTFOUND),
    # moving and lag going down at some point: OK
    (PROGRESSING, 3, 21, 1, Status.OK),
    (w((10, 5, 0), (20, 6, 10), (30, 2, 20)), 2, 21, 1, Status.OK),
    # lag was zero somewhere in the window: OK even if it rises now
    (w((10, 0, 0), (20, 3, 10), (20, 9, 20)), 9, 21, 1, Status.OK),
    # moving but lag never decreases: WARN
    (w((10, 5, 0), (20, 5, 10), (30, 8, 20)), 8, 21, 1, Status.WARN),
    # same offset committed over and over with lag: STALL
    (w((10, 5, 0), (10, 7, 10), (10, 9, 20)), 9, 21, 1, Status.STALL),
    # longer since the last commit than the window spans: STOP
    (w((10, 5, 0), (20, 4, 10), (30, 3, 20)), 9, 41, 1, Status.STOP),
    (w((10, 5, 0), (20, 4, 10), (30, 3, 20)), 9, 40, 1, Status.OK),  # exactly the span
    # no live members and lag: STOP at once, even with a single commit
    (w((10, 5, 0)), 5, 1, 0, Status.STOP),
    (PROGRESSING, 3, 21, 0, Status.STOP),
    # offset went down and did not come back: REWIND
    (w((30, 2, 0), (40, 2, 10), (20, 22, 20)), 22, 21, 1, Status.REWIND),
    # went down once but recovered past it: not a rewind
    (w((30, 2, 0), (20, 12, 10), (40, 1, 20)), 1, 21, 1, Status.OK),
    # STOP wins over REWIND (v1.9.5 order)
    (w((30, 2, 0), (20, 12, 10)), 12, 100, 1, Status.STOP),
    # one commit shows no cadence or trend: no rate rule applies
    (w((10, 5, 0)), 5, 100, 1, Status.OK),
])
def test_partition_status(window, lag, now, members, expected):
    assert evaluate_partition(window, current_lag=lag, now=now, members=members) == expected


def test_allowed_lag_counts_as_caught_up():
    stalled = w((10, 3, 0), (10, 3, 10), (10, 3, 20))
    assert evaluate_partition(stalled, current_lag=3, now=21) == Status.STALL
    assert evaluate_partition(stalled, current_lag=3, now=21, allowed_lag=3) == Status.OK


@pytest.mark.parametrize(("statuses", "expected"), [
    ([], Status.NOTFOUND),
    ([Status.NOTFOUND, Status.OK], Status.OK),
    ([Status.OK, Status.WARN, Status.OK], Status.WARN),
    ([Status.OK, Status.STOP], Status.ERR),
    ([Status.WARN, Status.STALL], Status.ERR),
    ([Status.REWIND], Status.ERR),
])
def test_group_status_is_worst_with_errors_folded(statuses, expected):
    assert group_status(statuses) == expected
