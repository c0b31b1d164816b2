"""The suppression list: erased subjects, stored only as keyed hashes of their ids."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from redactors.errors import MissingKeyError
from redactors.key_source import key_text, parse_key_lines

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "EntryStore",
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

    Rotation wraps instead of replacing: the raw ids that re-hashing would need are exactly
    what we do not keep, so a new key hashes the previous key's hash. With keys s1 (oldest)
    then s2, a subject's hash is `s2:HMAC(s2, "s1:" + HMAC(s1, id))`, and an entry stored
    under s1 alone becomes the same by `rekey` (`logwarden suppression rekey`). A leaked
    older key alone then no longer tests ids against what is stored.
    """

    __slots__ = ("_cache", "_chain", "key_id")

    CACHE_SIZE = 65_536  # the data plane hashes every event's subject; most repeat

    def __init__(self, key: bytes, *, key_id: str,
                 previous: tuple[tuple[str, bytes], ...] = ()) -> None:
        """`key` is current; `previous` are the older (key id, key) pairs, newest first."""
        chain = [(key_id, key), *previous]
        for kid, material in chain:
            if len(material) < MIN_KEY_BYTES:
                raise MissingKeyError(f"suppression key: needs at least {MIN_KEY_BYTES} bytes")
            if not _KEY_ID.match(kid):
                raise MissingKeyError("suppression key id: 1-32 of [A-Za-z0-9_-]")
        if len({kid for kid, _ in chain}) != len(chain):
            raise MissingKeyError("suppression key ids must differ")
        self._chain = tuple(reversed(chain))  # oldest first, the order they apply in
        self.key_id = key_id
        self._cache: dict[str, str] = {}

    def __call__(self, subject_id: str) -> str:
        found = self._cache.get(subject_id)
        if found is not None:
            return found
        found = self.history(subject_id)[-1]
        if len(self._cache) >= self.CACHE_SIZE:
            self._cache.clear()  # bounded; ids are held no longer than the consent view's
        self._cache[subject_id] = found
        return found

    def history(self, subject_id: str) -> list[str]:
        """The subject's hash under the oldest key, then each rotation's; the last is
        current. Records written before a rotation (receipts) carry the earlier ones."""
        hashes: list[str] = []
        text = subject_id
        for kid, key in self._chain:
            text = f"{kid}:{hmac.new(key, text.encode('utf-8'), hashlib.sha256).hexdigest()}"
            hashes.append(text)
        return hashes

    def rekey(self, stored: str) -> str:
        """A hash stored under the previous key, as the current key hashes the same id;
        a current hash unchanged. Anything else is a MissingKeyError (no value shown)."""
        if stored.startswith(self.key_id + ":"):
            return stored
        if len(self._chain) < 2 or not stored.startswith(self._chain[-2][0] + ":"):
            raise MissingKeyError("suppression rekey: an entry is under neither the current "
                                  "nor the previous key id")
        digest = hmac.new(self._chain[-1][1], stored.encode("utf-8"), hashlib.sha256)
        return f"{self.key_id}:{digest.hexdigest()}"

    def digest(self, subject_id: str) -> bytes:
        """The raw HMAC-SHA256 of the id under the newest key, uncached (the store's key)."""
        return hmac.digest(self._chain[-1][1], subject_id.encode("utf-8"), "sha256")

    def derive_key(self, purpose: bytes) -> bytes:
        """A 32-byte key for `purpose`, HKDF-SHA256 of the newest key (never the key)."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"logwarden/" + purpose).derive(self._chain[-1][1])

    def __repr__(self) -> str:
        ids = [kid for kid, _ in reversed(self._chain)]
        return f"SubjectHasher(key=***, key_id={self.key_id!r}, key_ids={ids!r})"

    @classmethod
    def parse(cls, text: str, source: str) -> SubjectHasher:
        """`kid:base64key` lines (the pseudonym keyring's format), the current key first,
        then the ones it rotated from, newest first."""
        keys = parse_key_lines(text, source)
        if not keys:
            raise MissingKeyError(f"{source}: not 'kid:base64key'")
        try:
            return cls(keys[0][1], key_id=keys[0][0], previous=tuple(keys[1:]))
        except MissingKeyError as exc:
            raise MissingKeyError(f"{source}: {exc}") from None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SubjectHasher:
        """The keys from $LOGWARDEN_SUPPRESSION_KEY, else the file named by
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


class EntryStore(Protocol):
    """Where the entries live: a dict, or the store on disk (streams.state.suppression)."""

    def __contains__(self, subject_hash: object) -> bool: ...

    def get(self, subject_hash: str) -> dict[str, Any] | None: ...

    def __setitem__(self, subject_hash: str, entry: dict[str, Any]) -> None: ...


class SuppressionList:
    """Erased subjects by keyed hash over an EntryStore."""

    def __init__(self, hasher: SubjectHasher, store: EntryStore) -> None:
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
