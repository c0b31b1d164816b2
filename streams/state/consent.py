"""The consent view's storage on disk: a bounded cache of recent subjects over the store.

A lookup is one dict probe while the subject is cached; a miss reads the LMDB store
(memory-mapped, no network) and caches the answer, "no consent" included
(streams.state.cache). Records read from privacy.consent are queued by `put` and
`delete` and written with the offsets they cover by `flush` (streams.state.view); they
update the subject in the cache only when it is there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import lmdb

from redactors.consent import ConsentState
from redactors.suppression import SubjectHasher
from streams.state.encoding import pack_consent, unpack_consent
from streams.state.store import CheckpointStore, subject_key
from streams.state.view import ViewStore

__all__ = ["StoredConsent"]

log = logging.getLogger(__name__)


class StoredConsent(ViewStore[str, ConsentState | None]):
    """get / put / delete by subject id over a CheckpointStore, with a bounded cache."""

    get: Callable[[str], ConsentState | None]  # the cache's own method: the data plane's

    def __init__(self, store: CheckpointStore, hasher: SubjectHasher, *, cache_size: int) -> None:
        super().__init__(store, cache_size=cache_size, load=self._load)
        self._hasher = hasher
        self.get = self._cache.get
        self._pinned: dict[str, ConsentState] = {}  # tombstoned children (ConsentView._forget)

    def _load(self, subject_id: str) -> ConsentState | None:
        pinned = self._pinned.get(subject_id)
        if pinned is not None:
            return pinned
        try:
            value = self._stored(subject_key(self._hasher, subject_id))
            return None if value is None else unpack_consent(subject_id, value)
        except (lmdb.Error, ValueError) as exc:  # the policy default; the type names no value
            self.read_errors += 1
            log.error("consent store read failed: %s", type(exc).__name__)
            return None

    def put(self, partition: int, offset: int, state: ConsentState) -> None:
        self._pinned.pop(state.subject_id, None)
        self._queue(partition, offset, subject_key(self._hasher, state.subject_id),
                    pack_consent(state))
        self._cache.update(state.subject_id, state)

    def delete(self, partition: int, offset: int, subject_id: str,
               keep: ConsentState | None = None) -> None:
        """Remove the subject from store and cache; `keep` stays in memory only."""
        self._queue(partition, offset, subject_key(self._hasher, subject_id), None)
        if keep is None:
            self._pinned.pop(subject_id, None)
        else:
            self._pinned[subject_id] = keep
        self._cache.update(subject_id, keep)
