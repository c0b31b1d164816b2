"""Keyed pseudonyms: HMAC-SHA256 under a key id, with an optional daily key rotation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from typing import Any

from redactors.errors import MissingKeyError, TransformError
from redactors.key_source import key_text, parse_key_lines
from redactors.transforms import Transform, TransformDeps

__all__ = ["KEYS_ENV", "KEY_FILE_ENV", "PseudonymKeyring", "Pseudonymize"]

KEYS_ENV = "LOGWARDEN_PSEUDONYM_KEYS"
KEY_FILE_ENV = "LOGWARDEN_PSEUDONYM_KEY_FILE"
_MIN_KEY_BYTES = 32
_CACHE_LIMIT = 100_000


class PseudonymKeyring:
    """Named HMAC keys; the first is current. Older ones stay for re-keying jobs."""

    __slots__ = ("_keys", "current_id", "ephemeral")

    def __init__(self, keys: Mapping[str, bytes], current_id: str, *,
                 ephemeral: bool = False) -> None:
        if current_id not in keys:
            raise MissingKeyError(f"pseudonym key id {current_id!r} is not in the keyring")
        for kid, key in keys.items():
            if not kid or ":" in kid or len(key) < _MIN_KEY_BYTES:
                raise MissingKeyError(
                    f"pseudonym key {kid!r}: needs an id without ':' and >= 32 bytes of key")
        self._keys = dict(keys)
        self.current_id = current_id
        self.ephemeral = ephemeral

    def __repr__(self) -> str:  # never show key material
        return f"PseudonymKeyring(ids={sorted(self._keys)}, current={self.current_id!r})"

    @property
    def current(self) -> bytes:
        return self._keys[self.current_id]

    @classmethod
    def parse(cls, text: str, source: str) -> PseudonymKeyring:
        """Parse `kid:base64key` entries separated by commas or newlines; first is current."""
        keys = parse_key_lines(text, source)
        if not keys:
            raise MissingKeyError(f"{source}: no pseudonym keys")
        return cls(dict(keys), keys[0][0])

    @classmethod
    def from_env(cls, env: Mapping[str, str], key_file: str | None = None) -> PseudonymKeyring:
        """Keys from `key_file`, else $LOGWARDEN_PSEUDONYM_KEYS, else the file in
        $LOGWARDEN_PSEUDONYM_KEY_FILE. None of them: MissingKeyError."""
        found = key_text(env, KEYS_ENV, KEY_FILE_ENV, key_file)
        if found is not None:
            return cls.parse(*found)
        raise MissingKeyError(
            f"no pseudonym keys: set ${KEYS_ENV}='kid:base64key,...' or ${KEY_FILE_ENV}")

    @classmethod
    def ephemeral_keyring(cls) -> PseudonymKeyring:
        """A random one-off key: pseudonyms will not match those of any other run."""
        return cls({"ephemeral": os.urandom(32)}, "ephemeral", ephemeral=True)

    @staticmethod
    def generate_line(kid: str) -> str:
        """A new `kid:base64key` entry for a key file."""
        return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


class Pseudonymize(Transform):
    """`p1:<kid>:<mac>`; with daily rotation `pd1:<kid>:<mac>` under HMAC(key, date)."""

    label = "pseudonym"

    def __init__(self, keyring: PseudonymKeyring, *, rotation: str = "none") -> None:
        if rotation not in ("none", "daily"):
            raise ValueError("rotation must be 'none' or 'daily'")
        self._daily = rotation == "daily"
        self._kid = keyring.current_id
        self._key = keyring.current
        self._prefix = f"{'pd1' if self._daily else 'p1'}:{self._kid}:"
        self._day_keys: dict[str, bytes] = {}
        self._cache: dict[str | tuple[str, str], str] = {}  # text, or (day, text) if daily
        self.label = "pseudonym_daily" if self._daily else "pseudonym"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        if type(value) is str:
            text = value
        elif isinstance(value, bool) or not isinstance(value, str | int):
            raise TransformError("wrong_type")
        else:
            text = value if isinstance(value, str) else str(value)
        if self._daily:
            if not day:  # a daily pseudonym must never fall back to stable
                raise TransformError("missing_day")
            bucket = day
            cache_key: str | tuple[str, str] = (day, text)
        else:
            bucket = ""
            cache_key = text
        found = self._cache.get(cache_key)
        if found is not None:
            return found
        mac = hmac.new(self._key_for(bucket), text.encode("utf-8", "surrogatepass"),
                       hashlib.sha256).digest()[:16]
        result = self._prefix + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def _key_for(self, bucket: str) -> bytes:
        if not bucket:
            return self._key
        derived = self._day_keys.get(bucket)
        if derived is None:
            if len(self._day_keys) > 64:
                self._day_keys.clear()
            derived = self._day_keys[bucket] = hmac.new(
                self._key, b"logwarden-day:" + bucket.encode(), hashlib.sha256).digest()
        return derived

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> Pseudonymize:
        if deps.pseudonym_keys is None:
            raise MissingKeyError("the pseudonym transform needs pseudonym keys")
        return cls(deps.pseudonym_keys, **dict(settings))
