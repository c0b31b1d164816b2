"""The consent view's storage on disk: a bounded cache of recent subjects over the store.

A lookup is one dict probe while the subject is cached; a miss reads the LMDB store
(memory-mapped, no network) and caches the answer, "no consent" included. The cache
has two generations of at most `cache_size / 2` subjects each: when the young one is
full it becomes the old one and the old one is dropped, and a hit in the old one moves
the subject back. Records read from privacy.consent are queued by `put` and `delete`
and written with the offsets they cover by `flush` (one LMDB transaction); they update
the subject in the cache only when it is there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import lmdb

from redactors.consent import ConsentState
from redactors.suppression import SubjectHasher
from streams.state.encoding import pack_consent, unpack_consent
from streams.state.store import REOPEN_AFTER, CheckpointStore, Resume, StoreWrite, subject_key

__all__ = ["StoredConsent"]

log = logging.getLogger(__name__)

_MISS = object()


class StoredConsent:
    """get / put / delete by subject id over a CheckpointStore, with a bounded cache."""

    def __init__(self, store: CheckpointStore, hasher: SubjectHasher, *, cache_size: int) -> None:
        self.store = store
        self._hasher = hasher
        self._half = max(1, cache_size // 2)
        self._young: dict[str, ConsentState | None] = {}
        self._old: dict[str, ConsentState | None] = {}
        self._pending: list[StoreWrite] = []
        self._pending_by_key: dict[bytes, bytes | None] = {}
        self._pinned: dict[str, ConsentState] = {}  # tombstoned children (ConsentView._forget)
        self.read_errors = 0
        self._written = 0  # records stored since the view was last caught up

    def resume(self, begins: Mapping[int, int], ends: Mapping[int, int]) -> Resume:
        resume = self.store.resume(begins, ends)
        self._pending, self._pending_by_key = [], {}  # re-read from the stored offsets
        if resume.reason != "checkpoint":
            self._young.clear()
            self._old.clear()
        return resume

    def get(self, subject_id: str) -> ConsentState | None:
        found = self._young.get(subject_id, _MISS)
        if found is _MISS:
            found = self._old.get(subject_id, _MISS)
            if found is _MISS:
                found = self._load(subject_id)
            self._remember(subject_id, found)  # type: ignore[arg-type]
        return found  # type: ignore[return-value]

    def _remember(self, subject_id: str, state: ConsentState | None) -> None:
        if len(self._young) >= self._half:
            self._old = self._young
            self._young = {}
        self._young[subject_id] = state

    def _load(self, subject_id: str) -> ConsentState | None:
        pinned = self._pinned.get(subject_id)
        if pinned is not None:
            return pinned
        key = subject_key(self._hasher, subject_id)
        value = self._pending_by_key.get(key, _MISS)
        try:
            if value is _MISS:
                value = self.store.get(key)
            return None if value is None else unpack_consent(subject_id, value)  # type: ignore[arg-type]
        except (lmdb.Error, ValueError) as exc:  # the policy default; the type names no value
            self.read_errors += 1
            log.error("consent store read failed: %s", type(exc).__name__)
            return None

    def put(self, partition: int, offset: int, state: ConsentState) -> None:
        self._pinned.pop(state.subject_id, None)
        self._queue(partition, offset, state.subject_id, pack_consent(state))
        self._set_cached(state.subject_id, state)

    def delete(self, partition: int, offset: int, subject_id: str,
               keep: ConsentState | None = None) -> None:
        """Remove the subject from store and cache; `keep` stays in memory only."""
        self._queue(partition, offset, subject_id, None)
        if keep is None:
            self._pinned.pop(subject_id, None)
        else:
            self._pinned[subject_id] = keep
        self._set_cached(subject_id, keep)

    def _set_cached(self, subject_id: str, state: ConsentState | None) -> None:
        """Update a cached subject; others are not added (a full load would churn the
        cache), their next lookup reads the queued write or the store."""
        if subject_id in self._young:
            self._young[subject_id] = state
        elif subject_id in self._old:
            self._old[subject_id] = state

    def _queue(self, partition: int, offset: int, subject_id: str, value: bytes | None) -> None:
        key = subject_key(self._hasher, subject_id)
        self._pending.append(StoreWrite(partition, offset, key, value))
        self._pending_by_key[key] = value

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
        return len(self._young) + len(self._old)

    def __len__(self) -> int:
        return len(self.store)
