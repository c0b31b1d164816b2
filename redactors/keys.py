"""Key providers: per-subject data keys for the identifiable record."""

from __future__ import annotations

import os
from typing import Protocol

__all__ = ["InMemoryKeyProvider", "KeyProvider"]


class KeyProvider(Protocol):
    """Where per-subject data keys live. The pipeline backs this with its keys store."""

    def get(self, subject_id: str) -> bytes | None:
        """The subject's key, or None when it does not exist (never created, or erased)."""

    def get_or_create(self, subject_id: str) -> bytes:
        """The subject's key, created (32 random bytes) on first use."""

    def delete(self, subject_id: str) -> None:
        """Forget the key (crypto-shredding)."""


class InMemoryKeyProvider:
    """A dict-backed provider for tests and the embedded mode."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}

    def get(self, subject_id: str) -> bytes | None:
        return self._keys.get(subject_id)

    def get_or_create(self, subject_id: str) -> bytes:
        key = self._keys.get(subject_id)
        if key is None:
            key = self._keys[subject_id] = os.urandom(32)
        return key

    def delete(self, subject_id: str) -> None:
        self._keys.pop(subject_id, None)
