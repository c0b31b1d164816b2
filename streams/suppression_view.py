"""The suppression list: erased or child subjects by keyed hash, seen by every worker.

Read whole from the suppression changelog by every worker (streams.global_view), on disk
(streams.state.suppression) or in a dict. Records keep the form Faust's table gave them
(key and value JSON), which `logwarden suppression rekey` and the roll markers write.
"""

from __future__ import annotations

import logging
from typing import Any

import faust

from redactors import codec
from streams.global_view import GlobalView
from streams.security import PLAINTEXT, ClientSecurity
from streams.state.suppression import StoredSuppression

__all__ = ["SuppressionView"]

log = logging.getLogger(__name__)

# Kept for an entry that does not read as one: the hash is listed, so it is suppressed.
_UNREADABLE = {"reason": "erased", "since": "", "request_id": ""}


class SuppressionView(GlobalView):
    """The suppression changelog, read whole; `entries` is the suppression list's store
    (redactors.suppression.SuppressionList): `hash in entries`, get, and set."""

    def __init__(self, app: faust.App, topic: str, partitions: int, *, follow: bool = True,
                 security: ClientSecurity = PLAINTEXT,
                 stored: StoredSuppression | None = None) -> None:
        self._dict: dict[str, dict[str, Any]] = {}
        self._stored = stored
        self.entries: dict[str, dict[str, Any]] | StoredSuppression = (
            self._dict if stored is None else stored)
        self.unreadable = 0
        super().__init__(app, topic, partitions, what="suppression list", follow=follow,
                         security=security, stored=stored)

    def apply(self, key: bytes | None, value: bytes | None, partition: int = 0,
              offset: int = 0) -> None:
        """Fold one changelog record: an entry, or a tombstone (rekey, roll markers)."""
        try:
            subject_hash = None if key is None else codec.loads(key)
        except codec.DecodeError:
            subject_hash = None
        if not isinstance(subject_hash, str):
            self.unreadable += 1  # no hash to look up: nothing to hold
            log.warning("suppression record without a readable key skipped")
            return
        entry: dict[str, Any] | None = None
        if value is not None:
            try:
                entry = codec.loads(value)
            except codec.DecodeError:
                entry = None
            if not isinstance(entry, dict):
                self.unreadable += 1  # fail closed: the subject stays suppressed
                log.warning("suppression entry unreadable: kept as erased")
                entry = _UNREADABLE
        if self._stored is not None:
            self._stored.put(partition, offset, subject_hash, entry)
        elif entry is None:
            self._dict.pop(subject_hash, None)
        else:
            self._dict[subject_hash] = entry

    def __contains__(self, subject_hash: object) -> bool:
        return subject_hash in self.entries

    def __len__(self) -> int:
        """Suppressed subjects (stored ones: as of the last write)."""
        return len(self.entries)
