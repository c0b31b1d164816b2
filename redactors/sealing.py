"""Per-subject authenticated encryption of the identifiable record (AES-256-GCM)."""

from __future__ import annotations

import base64
import hashlib
import os
from binascii import b2a_base64
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from redactors import codec
from redactors.errors import LogwardenError

__all__ = ["ALGORITHM", "Sealer", "UnsealError", "decrypt_identifiable", "key_id"]

ALGORITHM = "AES-256-GCM"
_VERSION = 1
_CIPHER_CACHE = 16_384  # a miss costs an AES key schedule and a key id (~1.7 µs)


class UnsealError(LogwardenError):
    """The record cannot be decrypted: wrong or shredded key, or tampered data."""


def key_id(key: bytes) -> str:
    """A short public fingerprint naming a data key (reveals nothing of it)."""
    return hashlib.sha256(b"logwarden-kid:" + key).hexdigest()[:16]


def _aad(subject_id: str, kid: str) -> bytes:
    # Binds the ciphertext to its subject and key: a record moved to another subject fails.
    return f"logwarden/identifiable/v{_VERSION}|{kid}|{subject_id}".encode()


class Sealer:
    """Encrypts identifiable payloads; caches the AESGCM object per data key."""

    def __init__(self) -> None:
        self._ciphers: dict[bytes, tuple[AESGCM, str]] = {}

    def seal(self, payload: dict[str, Any], subject_id: str, key: bytes) -> dict[str, Any]:
        cipher = self._ciphers.get(key)
        if cipher is None:
            if len(self._ciphers) >= _CIPHER_CACHE:
                self._ciphers.clear()
            cipher = self._ciphers[key] = (AESGCM(key), key_id(key))
        aead, kid = cipher
        nonce = os.urandom(12)
        ciphertext = aead.encrypt(nonce, codec.dumps(payload), _aad(subject_id, kid))
        return {
            "v": _VERSION,
            "alg": ALGORITHM,
            "subject_id": subject_id,
            "kid": kid,
            "nonce": b2a_base64(nonce, newline=False).decode("ascii"),
            "ciphertext": b2a_base64(ciphertext, newline=False).decode("ascii"),
        }


def decrypt_identifiable(record: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The plaintext payload of an identifiable record, given the subject's data key."""
    try:
        subject_id = str(record["subject_id"])
        kid = str(record["kid"])
        nonce = base64.b64decode(record["nonce"])
        ciphertext = base64.b64decode(record["ciphertext"])
    except (KeyError, TypeError, ValueError):
        raise UnsealError("identifiable record: missing or malformed envelope fields") from None
    if kid != key_id(key):
        raise UnsealError("identifiable record: sealed under another key")
    try:
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, _aad(subject_id, kid))
    except InvalidTag:
        raise UnsealError("identifiable record: authentication failed") from None
    payload = codec.loads(plaintext)
    if not isinstance(payload, dict):
        raise UnsealError("identifiable record: payload is not an object")
    return payload
