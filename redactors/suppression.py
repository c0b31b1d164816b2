"""The suppression list: erased subjects, stored only as keyed hashes of their ids."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redactors.errors import MissingKeyError
from redactors.key_source import key_text

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "SubjectHasher",
    "SuppressionEntry",
    "SuppressionList",
    "SuppressionReason",
]

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MIN_KEY_BYTES = 32
KEY_ENV = "LOGWARDEN_SUPPRESSION_KEY"
KEY_FILE_ENV = "LOGWARDEN_SUPPRESSION_KEY_FILE"


class SubjectHasher:
    """HMAC-SHA256 of a subject id under a dedicated key: what we keep instead of the id.

    The key must not rotate: a hash made under an old key could no longer be matched,
    and the raw ids it would take to re-hash are exactly what we do not keep.
    """

    __slots__ = ("_cache", "_key", "key_id")

    CACHE_SIZE = 65_536  # the data plane hashes every event's subject; most repeat

    def __init__(self, key: bytes, *, key_id: str) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise MissingKeyError(f"suppression key: needs at least {MIN_KEY_BYTES} bytes")
        if not _KEY_ID.match(key_id):
            raise MissingKeyError("suppression key id: 1-32 of [A-Za-z0-9_-]")
        self._key = key
        self.key_id = key_id
        self._cache: dict[str, str] = {}

    def __call__(self, subject_id: str) -> str:
        found = self._cache.get(subject_id)
        if found is not None:
            return found
        digest = hmac.new(self._key, subject_id.encode("utf-8"), hashlib.sha256).hexdigest()
        if len(self._cache) >= self.CACHE_SIZE:
            self._cache.clear()  # bounded; ids are held no longer than the consent view's
        found = self._cache[subject_id] = f"{self.key_id}:{digest}"
        return found

    def digest(self, subject_id: str) -> bytes:
        """The raw HMAC-SHA256 of the id, uncached (the consent store's key)."""
        return hmac.digest(self._key, subject_id.encode("utf-8"), "sha256")

    def __repr__(self) -> str:
        return f"SubjectHasher(key=***, key_id={self.key_id!r})"

    @classmethod
    def parse(cls, text: str, source: str) -> SubjectHasher:
        """One `kid:base64key` line (the pseudonym keyring's format)."""
        kid, sep, encoded = text.strip().partition(":")
        if not sep:
            raise MissingKeyError(f"{source}: not 'kid:base64key'")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise MissingKeyError(f"{source}: key is not valid base64") from None
        return cls(key, key_id=kid.strip())

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SubjectHasher:
        """The key from $LOGWARDEN_SUPPRESSION_KEY, else the file named by
        $LOGWARDEN_SUPPRESSION_KEY_FILE; neither is a MissingKeyError."""
        found = key_text(env, KEY_ENV, KEY_FILE_ENV)
        if found is not None:
            return cls.parse(*found)
        raise MissingKeyError(
            f"no suppression key: set ${KEY_ENV}='kid:base64key' or ${KEY_FILE_ENV}")


class SuppressionReason(StrEnum):
    ERASED = "erased"  # the subject asked to be forgotten
    CHILD = "child"  # the subject is known to be under 16


@dataclass(frozen=True, kw_only=True, slots=True)
class SuppressionEntry:
    """Why and since when a (hashed) subject is suppressed. No PII in it."""

    reason: SuppressionReason
    since: str  # RFC 3339
    request_id: str

    def to_dict(self) -> dict[str, str]:
        return {"reason": str(self.reason), "since": self.since, "request_id": self.request_id}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuppressionEntry:
        return cls(reason=SuppressionReason(data["reason"]), since=str(data["since"]),
                   request_id=str(data["request_id"]))


class SuppressionList:
    """Erased subjects by keyed hash over any mutable mapping (a dict, or a Faust table)."""

    def __init__(self, hasher: SubjectHasher,
                 store: MutableMapping[str, dict[str, Any]]) -> None:
        self._hash = hasher
        self._store = store

    @property
    def hasher(self) -> SubjectHasher:
        return self._hash

    def subject_hash(self, subject_id: str) -> str:
        return self._hash(subject_id)

    def is_suppressed(self, subject_id: str) -> bool:
        return self._hash(subject_id) in self._store

    def entry(self, subject_id: str) -> SuppressionEntry | None:
        data = self._store.get(self._hash(subject_id))
        return None if data is None else SuppressionEntry.from_dict(data)

    def suppress(self, subject_id: str, entry: SuppressionEntry) -> bool:
        """Add the subject; False when it already was (the first entry is kept)."""
        key = self._hash(subject_id)
        if key in self._store:
            return False
        self._store[key] = entry.to_dict()
        return True
