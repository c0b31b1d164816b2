"""Per-partition rings of recent commits, built from polled offsets like Burrow's storage."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from streams.observability.burrow import Commit

__all__ = ["CommitWindows", "PartitionKey"]

PartitionKey = tuple[str, int]


@dataclass
class CommitWindows:
    """Keep the last `intervals` commits per partition; merge those closer than `min_distance`.

    Polling cannot see a commit that repeats the same offset, so an unchanged offset counts
    as a commit only while the group has live members (they hold the partition and commit
    on a timer); a group with no members adds nothing, which is what makes STOP visible.
    """

    intervals: int = 10
    min_distance: float = 30.0
    _rings: dict[PartitionKey, deque[Commit]] = field(default_factory=dict)
    _moved_at: dict[PartitionKey, float] = field(default_factory=dict)

    def observe(self, key: PartitionKey, *, offset: int, lag: int, now: float,
                alive: bool) -> None:
        ring = self._rings.setdefault(key, deque(maxlen=self.intervals))
        if not ring or ring[-1].offset != offset:
            self._moved_at[key] = now
        if ring and ring[-1].offset == offset and not alive:
            return
        if ring and now - ring[-1].timestamp < self.min_distance:
            # Burrow merges a commit into the previous slot, keeping that slot's timestamp.
            ring[-1] = Commit(offset=offset, lag=lag, timestamp=ring[-1].timestamp)
            return
        ring.append(Commit(offset=offset, lag=lag, timestamp=now))

    def window(self, key: PartitionKey) -> tuple[Commit, ...]:
        return tuple(self._rings.get(key, ()))

    def last_moved(self, key: PartitionKey) -> float | None:
        """When the committed offset was last seen to change (first seen, at the start)."""
        return self._moved_at.get(key)

    def forget_except(self, keys: set[PartitionKey]) -> None:
        """Drop partitions the group no longer commits (deleted topics, left groups)."""
        for key in set(self._rings) - keys:
            del self._rings[key]
            self._moved_at.pop(key, None)
