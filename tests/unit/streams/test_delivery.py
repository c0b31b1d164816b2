"""CommitGate: a record handled under the current producers is not handled twice."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from faust.types import TP

from streams.delivery import CommitGate

RAW0 = TP("logs.raw", 0)
RAW1 = TP("logs.raw", 1)


def _gate() -> tuple[CommitGate, Any]:
    consumer = SimpleNamespace(_committed_offset=defaultdict(lambda: None))
    app = SimpleNamespace(consumer=consumer, consumer_generation_id=1,
                          timer=lambda *args, **kwargs: lambda fn: fn)
    return CommitGate(app, 1.0), app  # type: ignore[arg-type]


def _message(tp: TP, offset: int) -> Any:
    return SimpleNamespace(tp=tp, offset=offset)


def test_second_copy_in_the_same_generation_is_skipped() -> None:
    gate, _ = _gate()
    assert not gate.redelivered(_message(RAW0, 4999))
    gate.handled(_message(RAW0, 4999))
    assert gate.redelivered(_message(RAW0, 4999))
    assert not gate.redelivered(_message(RAW1, 4999))  # per partition
    assert gate.redeliveries == 1


def test_a_stale_copy_first_does_not_hide_the_records_before_it() -> None:
    gate, _ = _gate()
    gate.handled(_message(RAW0, 4999))  # fetched before the seek, handled first
    assert not gate.redelivered(_message(RAW0, 376))  # from the seek: still handled
    gate.handled(_message(RAW0, 376))
    assert gate.redelivered(_message(RAW0, 4999))


def test_below_the_committed_offset_is_skipped() -> None:
    gate, app = _gate()
    app.consumer._committed_offset[RAW0] = 300
    assert gate.redelivered(_message(RAW0, 299))
    assert not gate.redelivered(_message(RAW0, 300))


def test_a_new_generation_handles_everything_again() -> None:
    gate, app = _gate()
    gate.handled(_message(RAW0, 10))
    app.consumer_generation_id = 2  # rebalance: producers replaced, open txn aborted
    assert not gate.redelivered(_message(RAW0, 10))


def test_handled_offsets_below_the_commit_are_pruned() -> None:
    gate, app = _gate()
    for offset in range(5000):
        gate.handled(_message(RAW0, offset))
        app.consumer._committed_offset[RAW0] = offset
    assert len(gate._handled[RAW0]) < 5000
    assert gate.redelivered(_message(RAW0, 10))  # still skipped: below the commit
