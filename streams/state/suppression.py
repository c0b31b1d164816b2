"""The suppression list on disk: erased and child subjects by keyed hash.

Keys are the hashes the suppression list holds (`kid:hex`, never a subject id), values
the entry packed into 9 bytes and its request id (streams.state.encoding). Records read
from the suppression changelog are queued and written with the offsets they reach
(streams.state.view); a subject this worker suppresses is written at once, ahead of its
own changelog record. The data plane asks about every event's subject, so a bounded
cache (streams.state.cache) keeps recent answers, "not suppressed" included; a store
that cannot be read answers "suppressed" (fail closed: the event is dropped).
"""

from __future__ import annotations

import logging
from typing import Any

import lmdb

from streams.state.encoding import pack_suppression, unpack_suppression
from streams.state.store import CheckpointStore
from streams.state.view import ViewStore

__all__ = ["StoredSuppression"]

log = logging.getLogger(__name__)


class StoredSuppression(ViewStore[str, bool]):
    """`hash in list`, `get(hash)` and `list[hash] = entry` (redactors.suppression's
    store) over a CheckpointStore of kind "suppression", with a bounded cache."""

    def __init__(self, store: CheckpointStore, *, cache_size: int) -> None:
        super().__init__(store, cache_size=cache_size, load=self._load)

    def _load(self, subject_hash: str) -> bool:
        try:
            return self._stored(subject_hash.encode("utf-8")) is not None
        except lmdb.Error as exc:  # fail closed; the type names no value
            self.read_errors += 1
            log.error("suppression store read failed: %s", type(exc).__name__)
            return True

    def __contains__(self, subject_hash: object) -> bool:
        return isinstance(subject_hash, str) and self._cache.get(subject_hash)

    def get(self, subject_hash: str) -> dict[str, Any] | None:
        """The entry (a SuppressionEntry's dict); None when the subject is not listed."""
        value = self._stored(subject_hash.encode("utf-8"))
        return None if value is None else unpack_suppression(value)

    def __setitem__(self, subject_hash: str, entry: dict[str, Any]) -> None:
        """This worker's own entry, stored now: its changelog record follows."""
        self.store.put(subject_hash.encode("utf-8"), pack_suppression(entry))
        self._cache.update(subject_hash, True)

    def put(self, partition: int, offset: int, subject_hash: str,
            entry: dict[str, Any] | None) -> None:
        """A record read from the changelog: an entry, or None for a tombstone."""
        self._queue(partition, offset, subject_hash.encode("utf-8"),
                    None if entry is None else pack_suppression(entry))
        self._cache.update(subject_hash, entry is not None)
