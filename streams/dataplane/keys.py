"""Per-subject data keys for the data plane: one store per raw partition it owns.

Raw events arrive unkeyed, so a subject's events may land on any partition, and under
exactly-once a partition may only write inside its own transaction. Each raw partition
therefore holds its own key per subject, `{partition}/{subject}` in partition
`partition` of the compacted keys changelog, created on first use there. Erasure
tombstones the key in every partition (streams.rights).

A partition's keys are read from its changelog partition (read_committed) when the
partition is assigned, before any of its records is routed; new keys are queued on
the partition's `PartitionKeys` and sent ahead of the outputs they seal, in the same
transaction under exactly-once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.security import PLAINTEXT, ClientSecurity

__all__ = ["KeyStore", "PartitionKeys"]

log = logging.getLogger(__name__)


class PartitionKeys:
    """The KeyProvider for one raw partition (redactors.keys.KeyProvider)."""

    def __init__(self, partition: int, keys: dict[str, bytes],
                 on_created: Callable[[], None]) -> None:
        self.partition = partition
        self._keys = keys
        self._on_created = on_created
        self.pending: list[tuple[bytes, bytes | None]] = []  # changelog writes not yet sent

    def _record_key(self, subject_id: str) -> bytes:
        return f"{self.partition}/{subject_id}".encode()

    def get(self, subject_id: str) -> bytes | None:
        return self._keys.get(subject_id)

    def get_or_create(self, subject_id: str) -> bytes:
        key = self._keys.get(subject_id)
        if key is None:
            key = self._keys[subject_id] = os.urandom(32)
            self.pending.append((self._record_key(subject_id), key))
            self._on_created()
        return key

    def delete(self, subject_id: str) -> None:
        if self._keys.pop(subject_id, None) is not None:
            self.pending.append((self._record_key(subject_id), None))

    def discard(self, subject_id: str) -> bool:
        """Forget the key here without a changelog write (the caller tombstones it)."""
        return self._keys.pop(subject_id, None) is not None

    def take_pending(self) -> list[tuple[bytes, bytes | None]]:
        pending, self.pending = self.pending, []
        return pending

    def __len__(self) -> int:
        return len(self._keys)


class KeyStore:
    """The keys of every raw partition this process owns, loaded from the changelog."""

    def __init__(self, bootstrap: str, changelog: str, on_created: Callable[[], None],
                 security: ClientSecurity = PLAINTEXT) -> None:
        self.changelog = changelog
        self._bootstrap = bootstrap
        self._security = security
        self._on_created = on_created
        self._partitions: dict[int, PartitionKeys] = {}

    def __getitem__(self, partition: int) -> PartitionKeys:
        return self._partitions[partition]

    def __contains__(self, partition: int) -> bool:
        return partition in self._partitions

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._partitions.values())

    async def load(self, partitions: Iterable[int]) -> None:
        """Read the changelog partitions of newly assigned raw partitions to their end."""
        wanted = sorted(set(partitions) - set(self._partitions))
        if not wanted:
            return
        loaded = await self._read(wanted)
        for partition in wanted:
            self._partitions[partition] = PartitionKeys(partition, loaded[partition],
                                                        self._on_created)
        log.info("subject keys loaded", extra={"partitions": len(wanted),
                                               "keys": sum(map(len, loaded.values()))})

    def release(self, partitions: Iterable[int]) -> None:
        """Forget the keys of revoked partitions (their next owner reads the changelog)."""
        for partition in partitions:
            self._partitions.pop(partition, None)

    def forget(self, subject_id: str) -> int:
        """Drop the subject's key from every partition held here (the rights agent writes
        the tombstones); returns how many were held."""
        held = 0
        for keys in self._partitions.values():
            held += keys.discard(subject_id)
        return held

    async def _read(self, partitions: list[int]) -> dict[int, dict[str, bytes]]:
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    isolation_level="read_committed",
                                    **self._security.aiokafka_kwargs())
        await consumer.start()
        try:
            tps = [TopicPartition(self.changelog, p) for p in partitions]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            found: dict[int, dict[str, bytes]] = {p: {} for p in partitions}
            remaining = {tp for tp in tps if ends[tp] > 0}
            while remaining:
                batch = await consumer.getmany(*remaining, timeout_ms=200, max_records=10_000)
                for tp, records in batch.items():
                    keys = found[tp.partition]
                    for record in records:
                        _apply(keys, tp.partition, record.key, record.value)
                for tp in list(remaining):
                    if await consumer.position(tp) >= ends[tp]:
                        remaining.discard(tp)
            return found
        finally:
            await consumer.stop()


def _apply(keys: dict[str, bytes], partition: int, key: bytes | None,
           value: bytes | None) -> None:
    if key is None:
        return
    prefix, _, subject = key.decode("utf-8", "replace").partition("/")
    if prefix != str(partition) or not subject:
        return  # not this partition's record: ignore rather than guess
    if value is None:
        keys.pop(subject, None)
    elif len(value) == 32:
        keys[subject] = bytes(value)
