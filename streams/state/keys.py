"""The subject keys changelog, read back: in memory, or on disk behind a bounded cache.

Both tables hold only what the keys changelog reader (streams.dataplane.keys.KeyStore)
read read_committed, with the offsets it covers; keys this worker created and not yet
read back live in their partition's `PartitionKeys`. So after a crash the table holds no
key of an aborted transaction.

`StoredKeys` keeps them in the host's LMDB store (streams.state.store), split by raw
partition: the store's key is the partition and the subject's keyed hash (never the
id), the value the data key wrapped with AES-GCM under a key derived from the
suppression key, bound to that store key. What a freed page keeps after an erasure is
therefore a hash and ciphertext whose wrapping key stays in the worker's environment.
A lookup is a dict probe while the (partition, subject) is cached; a miss reads and
unwraps the store's value, and caches the answer, "no key" included (two generations of
at most `cache_size / 2` each, as the consent store's cache).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

import lmdb
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from redactors.suppression import SubjectHasher
from streams.state.cache import TwoGenerations
from streams.state.store import (
    REOPEN_AFTER,
    CheckpointStore,
    StoreWrite,
    partition_prefix,
    subject_key,
)

__all__ = ["DATA_KEY_BYTES", "KeyChange", "KeyTable", "KeyWrap", "MemoryKeys", "StoredKeys"]

log = logging.getLogger(__name__)

DATA_KEY_BYTES = 32
_NONCE = 12


@dataclass(frozen=True, slots=True)
class KeyChange:
    """One committed changelog record: a subject's key in a partition, or its tombstone."""

    partition: int
    offset: int
    subject_id: str
    key: bytes | None


class KeyTable(Protocol):
    """What the changelog reader keeps read-back keys in."""

    def resume(self, begins: Mapping[int, int], ends: Mapping[int, int]) -> Mapping[int, int]:
        """Where to read each newly assigned partition from (absent: its start)."""

    def get(self, partition: int, subject_id: str) -> bytes | None: ...

    def write(self, changes: list[KeyChange], positions: Mapping[int, int],
              caught_up: Collection[int], at: float) -> None:
        """Apply committed records and the positions they reach."""

    def forget(self, subject_id: str) -> None:
        """Remove the subject's keys in every partition, now."""

    def settle(self) -> None:
        """A load is over: return what it needed only while it ran."""

    def release(self, partitions: Collection[int]) -> None: ...

    def close(self) -> None: ...


class MemoryKeys:
    """The keys of the owned partitions in dicts, read from the start on every assignment."""

    def __init__(self) -> None:
        self._keys: dict[int, dict[str, bytes]] = {}

    def resume(self, begins: Mapping[int, int], ends: Mapping[int, int]) -> Mapping[int, int]:
        for partition in ends:
            self._keys[partition] = {}
        return {}

    def get(self, partition: int, subject_id: str) -> bytes | None:
        return self._keys.get(partition, {}).get(subject_id)

    def write(self, changes: list[KeyChange], positions: Mapping[int, int],
              caught_up: Collection[int], at: float) -> None:
        for change in changes:
            keys = self._keys.setdefault(change.partition, {})
            if change.key is None:
                keys.pop(change.subject_id, None)
            else:
                keys[change.subject_id] = change.key

    def forget(self, subject_id: str) -> None:
        for keys in self._keys.values():
            keys.pop(subject_id, None)

    def settle(self) -> None:
        pass

    def release(self, partitions: Collection[int]) -> None:
        for partition in partitions:
            self._keys.pop(partition, None)

    def close(self) -> None:
        self._keys.clear()

    def __len__(self) -> int:
        return sum(map(len, self._keys.values()))


class KeyWrap:
    """AES-GCM wrapping of data keys at rest, bound to the slot (store key) they fill."""

    PURPOSE = b"subject-keys-at-rest/1"

    def __init__(self, hasher: SubjectHasher) -> None:
        self._aead = AESGCM(hasher.derive_key(self.PURPOSE))

    def wrap(self, slot: bytes, key: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, key, slot)

    def unwrap(self, slot: bytes, value: bytes) -> bytes:
        """The data key; ValueError when the value was not wrapped for this slot and key."""
        try:
            return self._aead.decrypt(value[:_NONCE], value[_NONCE:], slot)
        except InvalidTag:
            raise ValueError("not a key wrapped for this slot") from None

    def __repr__(self) -> str:
        return "KeyWrap(key=***)"


class StoredKeys:
    """Subject keys in a CheckpointStore (kind "keys"), with a bounded cache."""

    def __init__(self, store: CheckpointStore, hasher: SubjectHasher, *, partitions: int,
                 cache_size: int) -> None:
        self.store = store
        self._hasher = hasher
        self._wrap = KeyWrap(hasher)
        self._partitions = partitions
        self._cache: TwoGenerations[tuple[int, str], bytes | None] = TwoGenerations(
            cache_size, self._load)
        self.read_errors = 0
        self._written = 0  # records since the last settle

    def resume(self, begins: Mapping[int, int], ends: Mapping[int, int]) -> Mapping[int, int]:
        resume = self.store.resume_partitions(begins, ends)
        if resume.reason != "checkpoint":
            self._clear()
        self.release(ends)  # a partition read from its start drops its cached answers
        return resume.offsets

    def _slot(self, partition: int, subject_id: str) -> bytes:
        return partition_prefix(partition) + subject_key(self._hasher, subject_id)

    def get(self, partition: int, subject_id: str) -> bytes | None:
        return self._cache.get((partition, subject_id))

    def _load(self, entry: tuple[int, str]) -> bytes | None:
        slot = self._slot(*entry)
        try:
            value = self.store.get(slot)
            return None if value is None else self._wrap.unwrap(slot, value)
        except (lmdb.Error, ValueError) as exc:  # no key: its output goes to dead-letter
            self.read_errors += 1
            log.error("keys store read failed: %s", type(exc).__name__)
            return None

    def write(self, changes: list[KeyChange], positions: Mapping[int, int],
              caught_up: Collection[int], at: float) -> None:
        records = []
        for change in changes:
            slot = self._slot(change.partition, change.subject_id)
            value = None if change.key is None else self._wrap.wrap(slot, change.key)
            records.append(StoreWrite(change.partition, change.offset, slot, value))
            # cached subjects follow; others are read when used
            self._cache.update((change.partition, change.subject_id), change.key)
        self.store.write(records, positions, at if caught_up else None, caught_up)
        self._written += len(records)

    def settle(self) -> None:
        if self._written >= REOPEN_AFTER:
            self.store.reopen()
        self._written = 0

    def forget(self, subject_id: str) -> None:
        self.store.delete([self._slot(p, subject_id) for p in range(self._partitions)])
        for p in range(self._partitions):
            self._cache.discard((p, subject_id))

    def release(self, partitions: Collection[int]) -> None:
        if partitions:
            gone = set(partitions)
            self._cache.keep(lambda entry: entry[0] not in gone)

    def _clear(self) -> None:
        self._cache.clear()

    def cached(self) -> int:
        return len(self._cache)

    def close(self) -> None:
        self._clear()
        self.store.close()

    def __len__(self) -> int:
        return len(self.store)
