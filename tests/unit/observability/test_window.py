"""Commit windows built from polled offsets."""

from __future__ import annotations

from streams.observability.burrow import Commit
from streams.observability.window import CommitWindows

KEY = ("logs.raw", 0)


def test_unchanged_offset_counts_only_while_the_group_is_alive():
    windows = CommitWindows(intervals=10, min_distance=0)
    windows.observe(KEY, offset=5, lag=1, now=0, alive=False)
    windows.observe(KEY, offset=5, lag=2, now=10, alive=False)
    assert len(windows.window(KEY)) == 1
    windows.observe(KEY, offset=5, lag=3, now=20, alive=True)
    assert [c.timestamp for c in windows.window(KEY)] == [0, 20]


def test_commits_closer_than_min_distance_merge_into_the_previous_slot():
    windows = CommitWindows(intervals=10, min_distance=30)
    windows.observe(KEY, offset=1, lag=9, now=0, alive=True)
    windows.observe(KEY, offset=2, lag=8, now=10, alive=True)
    windows.observe(KEY, offset=3, lag=7, now=31, alive=True)
    assert windows.window(KEY) == (Commit(2, 8, 0), Commit(3, 7, 31))


def test_ring_keeps_the_last_intervals_and_tracks_movement():
    windows = CommitWindows(intervals=3, min_distance=0)
    for n in range(5):
        windows.observe(KEY, offset=n, lag=0, now=n, alive=True)
    windows.observe(KEY, offset=4, lag=0, now=9, alive=True)
    assert [c.offset for c in windows.window(KEY)] == [3, 4, 4]
    assert windows.last_moved(KEY) == 4


def test_forget_drops_partitions_no_longer_seen():
    windows = CommitWindows()
    windows.observe(KEY, offset=1, lag=0, now=0, alive=True)
    windows.forget_except(set())
    assert windows.window(KEY) == ()
    assert windows.last_moved(KEY) is None
