"""The pseudonym transform: `p1:<kid>:<mac>`, HMAC-SHA256 under the keyring's current key."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from redactors.errors import MissingKeyError, TransformError
from redactors.pseudonym import PseudonymKeyring
from redactors.transforms.base import Transform, TransformDeps

__all__ = ["Pseudonymize"]

_CACHE_LIMIT = 100_000


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
