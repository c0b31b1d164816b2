"""The pseudonym keyring: named HMAC keys, the first current (the transform is in transforms/)."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping

from redactors.errors import MissingKeyError
from redactors.key_source import key_text

__all__ = ["KEYS_ENV", "KEY_FILE_ENV", "PseudonymKeyring"]

KEYS_ENV = "LOGWARDEN_PSEUDONYM_KEYS"
KEY_FILE_ENV = "LOGWARDEN_PSEUDONYM_KEY_FILE"
_MIN_KEY_BYTES = 32


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
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for entry in text.replace("\n", ",").split(","):
            entry = entry.strip()
            if not entry or entry.startswith("#"):
                continue
            kid, sep, encoded = entry.partition(":")
            if not sep:
                raise MissingKeyError(f"{source}: entry {len(order) + 1} is not 'kid:base64key'")
            if kid.strip() in keys:  # which one would be meant? the first is current
                raise MissingKeyError(f"{source}: key id {kid.strip()!r} appears twice")
            try:
                keys[kid.strip()] = base64.b64decode(encoded.strip(), validate=True)
            except (binascii.Error, ValueError):
                raise MissingKeyError(
                    f"{source}: key {kid.strip()!r} is not valid base64") from None
            order.append(kid.strip())
        if not order:
            raise MissingKeyError(f"{source}: no pseudonym keys")
        return cls(keys, order[0])

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
