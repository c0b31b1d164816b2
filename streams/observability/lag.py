"""The lag sampler: broker readings in, per-partition lag and Burrow status out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from streams.observability.burrow import Status, evaluate_partition, group_status
from streams.observability.reader import GroupOffsets, OffsetReader
from streams.observability.window import CommitWindows
from streams.security import PLAINTEXT, ClientSecurity

__all__ = ["LagSampler", "LagSnapshot", "PartitionLag"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PartitionLag:
    """Lag of one partition; `lag` is None where the group has committed nothing."""

    topic: str
    partition: int
    committed: int | None
    latest: int
    lag: int | None
    lag_seconds: float | None
    status: Status
    last_moved: float | None


@dataclass(frozen=True, slots=True)
class LagSnapshot:
    """Every partition of one group at one moment."""

    group: str
    taken_at: float
    members: int
    partitions: tuple[PartitionLag, ...]

    @property
    def committed(self) -> tuple[PartitionLag, ...]:
        return tuple(p for p in self.partitions if p.lag is not None)

    @property
    def max_lag(self) -> int:
        return max((p.lag or 0 for p in self.partitions), default=0)

    @property
    def sum_lag(self) -> int:
        return sum(p.lag or 0 for p in self.partitions)

    @property
    def max_lag_seconds(self) -> float:
        return max((p.lag_seconds or 0.0 for p in self.partitions), default=0.0)

    @property
    def status(self) -> Status:
        return group_status(p.status for p in self.partitions)


class LagSampler:
    """Sample a group's lag; keep a Burrow window per partition across samples."""

    def __init__(self, bootstrap: str, group: str, topics: Sequence[str] = (), *,
                 intervals: int = 10, min_distance: float = 30.0,
                 security: ClientSecurity = PLAINTEXT) -> None:
        self.group = group
        self.reader = OffsetReader(bootstrap, group, topics, security=security)
        self.windows = CommitWindows(intervals=intervals, min_distance=min_distance)
        self.last: LagSnapshot | None = None
        self.last_success: float | None = None
        self.failures = 0
        self.last_error: str | None = None  # the exception class of the last failure

    async def sample(self) -> LagSnapshot | None:
        """Take one sample; on a broker error, log its class, count it and keep the last."""
        try:
            reading = await self.reader.read()
        except (Exception, asyncio.CancelledError) as exc:  # outlive broker hiccups
            # aiokafka can leak a CancelledError of its own when the broker returns; only
            # a cancellation of this task itself may end the sampler.
            task = asyncio.current_task()
            if isinstance(exc, asyncio.CancelledError) and (task is None or task.cancelling()):
                raise
            self.failures += 1
            self.last_error = type(exc).__name__
            log.warning("lag sample failed", extra={"error": type(exc).__name__})
            await self.reader.close()
            return None
        self.last = self.evaluate(reading)
        self.last_success = reading.taken_at
        return self.last

    def evaluate(self, reading: GroupOffsets) -> LagSnapshot:
        now = reading.taken_at
        rows = []
        for tp in sorted(reading.latest, key=lambda t: (t.topic, t.partition)):
            key = (tp.topic, tp.partition)
            latest, committed = reading.latest[tp], reading.committed.get(tp)
            lag = None if committed is None else max(0, latest - committed)
            if tp in reading.markers_only:
                lag = 0
            if committed is not None and lag is not None:
                self.windows.observe(key, offset=committed, lag=lag, now=now,
                                     alive=reading.members > 0)
            seconds = None
            if lag == 0:
                seconds = 0.0
            elif tp in reading.backlog_since:
                seconds = max(0.0, now - reading.backlog_since[tp])
            status = evaluate_partition(self.windows.window(key), current_lag=lag, now=now,
                                        members=reading.members)
            rows.append(PartitionLag(topic=tp.topic, partition=tp.partition,
                                     committed=committed, latest=latest, lag=lag,
                                     lag_seconds=seconds, status=status,
                                     last_moved=self.windows.last_moved(key)))
        self.windows.forget_except({(r.topic, r.partition) for r in rows})
        return LagSnapshot(group=self.group, taken_at=now, members=reading.members,
                           partitions=tuple(rows))

    async def close(self) -> None:
        await self.reader.close()
