"""The store of a topic every worker reads whole (privacy.consent, the suppression list).

The view's reader queues the records it reads (`_queue`) and `flush` writes them with
the positions they reach in one LMDB transaction, so the checkpoint is what the data
says. A lookup between the two sees the queued value (`_stored`). Each kind keeps a
bounded cache (streams.state.cache) of its own answers in front.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from streams.state.cache import TwoGenerations
from streams.state.store import REOPEN_AFTER, CheckpointStore, Resume, StoreWrite

__all__ = ["ViewStore"]

_MISS = object()
K = TypeVar("K")
V = TypeVar("V")


class ViewStore(Generic[K, V]):
    """Queue, flush and resume for a CheckpointStore read from a topic's partitions, and
    the bounded cache of answers (`load` reads one from the store)."""

    def __init__(self, store: CheckpointStore, *, cache_size: int,
                 load: Callable[[K], V]) -> None:
        self.store = store
        self._cache: TwoGenerations[K, V] = TwoGenerations(cache_size, load)
        self._pending: list[StoreWrite] = []
        self._pending_by_key: dict[bytes, bytes | None] = {}
        self._written = 0  # records stored since the view was last caught up
        self.read_errors = 0

    def resume(self, begins: Mapping[int, int], ends: Mapping[int, int]) -> Resume:
        resume = self.store.resume(begins, ends)
        self._pending, self._pending_by_key = [], {}  # re-read from the stored offsets
        if resume.reason != "checkpoint":
            self._cache.clear()
        return resume

    def _queue(self, partition: int, offset: int, key: bytes, value: bytes | None) -> None:
        self._pending.append(StoreWrite(partition, offset, key, value))
        self._pending_by_key[key] = value

    def _stored(self, key: bytes) -> bytes | None:
        """The queued value of `key`, else the store's (lmdb.Error when it cannot read)."""
        value = self._pending_by_key.get(key, _MISS)
        return self.store.get(key) if value is _MISS else value  # type: ignore[return-value]

    def flush(self, positions: Mapping[int, int], caught_up_at: float | None = None) -> None:
        """Write what was queued and the positions it reaches, atomically."""
        if not self._pending and not positions and caught_up_at is None:
            return
        self.store.write(self._pending, positions, caught_up_at)
        self._written += len(self._pending)
        self._pending = []
        self._pending_by_key = {}
        if caught_up_at is not None and self._written >= REOPEN_AFTER:
            self.store.reopen()  # a load is over: return LMDB's dirty pages (store.reopen)
        if caught_up_at is not None:
            self._written = 0

    def cached(self) -> int:
        return len(self._cache)

    def __len__(self) -> int:
        return len(self.store)
