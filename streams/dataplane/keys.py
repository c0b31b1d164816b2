"""Per-subject data keys for the data plane: one set per raw partition it owns.

Raw events arrive unkeyed, so a subject's events may land on any partition, and under
exactly-once a partition may only write inside its own transaction. Each raw partition
therefore holds its own key per subject, `{partition}/{subject}` in partition
`partition` of the compacted keys changelog, created on first use there. Erasure
tombstones the key in every partition (streams.rights).

One consumer (read_committed) follows the changelog partitions of the owned raw
partitions into a KeyTable (streams.state.keys: in memory, or the host's LMDB store
with a checkpoint, so an assignment reads only the tail since it). When a partition is
assigned it is read to its end before any of its records is routed; afterwards the data
plane's `tick` applies what was committed since, other workers' tombstones included.
New keys are queued on the partition's `PartitionKeys` and sent ahead of the outputs
they seal, in the same transaction under exactly-once; they stay in memory there until
the reader reads them back committed, so an aborted transaction's key never reaches the
table.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.security import PLAINTEXT, ClientSecurity
from streams.state.keys import DATA_KEY_BYTES, KeyChange, KeyTable, MemoryKeys

__all__ = ["KeyStore", "PartitionKeys"]

log = logging.getLogger(__name__)

TICK_INTERVAL = 1.0  # seconds between reads of what was committed to the changelog
READ_RECORDS = 10_000  # records per fetch of the changelog


class PartitionKeys:
    """The KeyProvider for one raw partition (redactors.keys.KeyProvider)."""

    def __init__(self, partition: int, table: KeyTable,
                 on_created: Callable[[], None]) -> None:
        self.partition = partition
        self._table = table
        self._on_created = on_created
        self._fresh: dict[str, bytes] = {}  # created here, not yet read back committed
        self.pending: list[tuple[bytes, bytes | None]] = []  # changelog writes not yet sent

    def _record_key(self, subject_id: str) -> bytes:
        return f"{self.partition}/{subject_id}".encode()

    def get(self, subject_id: str) -> bytes | None:
        key = self._fresh.get(subject_id)
        return key if key is not None else self._table.get(self.partition, subject_id)

    def get_or_create(self, subject_id: str) -> bytes:
        key = self.get(subject_id)
        if key is None:
            key = self._fresh[subject_id] = os.urandom(DATA_KEY_BYTES)
            self.pending.append((self._record_key(subject_id), key))
            self._on_created()
        return key

    def delete(self, subject_id: str) -> None:
        if self.discard(subject_id):
            self.pending.append((self._record_key(subject_id), None))

    def discard(self, subject_id: str) -> bool:
        """Forget a fresh key here without a changelog write (the caller tombstones it
        and removes it from the table); whether the subject had a key."""
        held = self.get(subject_id) is not None
        self._fresh.pop(subject_id, None)
        return held

    def read_back(self, subject_id: str, key: bytes | None) -> None:
        """A committed record of the subject came back: the table holds it from now on."""
        if key is None or self._fresh.get(subject_id) == key:
            self._fresh.pop(subject_id, None)

    def take_pending(self) -> list[tuple[bytes, bytes | None]]:
        pending, self.pending = self.pending, []
        return pending

    def fresh(self) -> int:
        return len(self._fresh)


class KeyStore:
    """The keys of every raw partition this process owns, following the changelog."""

    def __init__(self, bootstrap: str, changelog: str, on_created: Callable[[], None],
                 security: ClientSecurity = PLAINTEXT, table: KeyTable | None = None) -> None:
        self.changelog = changelog
        self.table: KeyTable = MemoryKeys() if table is None else table
        self._bootstrap = bootstrap
        self._security = security
        self._on_created = on_created
        self._partitions: dict[int, PartitionKeys] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._next_tick = 0.0
        self._reassign = False

    def __getitem__(self, partition: int) -> PartitionKeys:
        return self._partitions[partition]

    def __contains__(self, partition: int) -> bool:
        return partition in self._partitions

    def _tp(self, partition: int) -> TopicPartition:
        return TopicPartition(self.changelog, partition)

    async def _reader(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None,
                                        enable_auto_commit=False,
                                        auto_offset_reset="earliest",
                                        isolation_level="read_committed",
                                        **self._security.aiokafka_kwargs())
            await consumer.start()
            self._consumer = consumer
        return self._consumer

    async def _assign(self, partitions: Iterable[int]) -> AIOKafkaConsumer:
        """Follow these changelog partitions; those followed before keep their position
        (assign() forgets every position)."""
        consumer = await self._reader()
        kept = {tp: await consumer.position(tp) for tp in consumer.assignment()}
        consumer.assign([self._tp(p) for p in sorted(partitions)])
        self._reassign = False
        for tp, position in kept.items():
            if tp in consumer.assignment():
                consumer.seek(tp, position)
        return consumer

    async def load(self, partitions: Iterable[int]) -> None:
        """Read the changelog partitions of newly assigned raw partitions to their end,
        from the table's checkpoint where it has one."""
        wanted = sorted(set(partitions) - set(self._partitions))
        if not wanted:
            return
        consumer = await self._assign([*self._partitions, *wanted])
        tps = [self._tp(p) for p in wanted]
        begins = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        starts = self.table.resume({tp.partition: begins[tp] for tp in tps},
                                   {tp.partition: ends[tp] for tp in tps})
        for tp in tps:
            consumer.seek(tp, starts.get(tp.partition, begins[tp]))
        records = 0
        remaining = {tp for tp in tps if await consumer.position(tp) < ends[tp]}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=200, max_records=READ_RECORDS)
            records += sum(map(len, batch.values()))
            self.table.write(self._changes(batch),
                             {tp.partition: await consumer.position(tp) for tp in batch},
                             (), time.time())
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        self.table.write([], {tp.partition: await consumer.position(tp) for tp in tps},
                         wanted, time.time())
        self.table.settle()
        for partition in wanted:
            self._partitions[partition] = PartitionKeys(partition, self.table,
                                                        self._on_created)
        log.info("subject keys loaded", extra={"partitions": len(wanted),
                                               "from_checkpoint": len(starts),
                                               "records_read": records})

    def _changes(self, batch: dict[TopicPartition, list[Any]]) -> list[KeyChange]:
        """The batch's key changes; the owned partitions' fresh keys read back leave them."""
        changes: list[KeyChange] = []
        for tp, records in batch.items():
            held = self._partitions.get(tp.partition)
            for record in records:
                change = _change(tp.partition, record.offset, record.key, record.value)
                if change is not None:
                    changes.append(change)
                    if held is not None:
                        held.read_back(change.subject_id, change.key)
        return changes

    async def tick(self) -> None:
        """Apply what was committed to the owned changelog partitions since the last tick,
        with their positions; a partition read to its last stable offset is caught up."""
        now = time.monotonic()
        if self._consumer is None or now < self._next_tick:
            return
        consumer = self._consumer
        if self._reassign:
            await self._assign(self._partitions)
        if not self._partitions:
            return
        batch = await consumer.getmany(timeout_ms=0, max_records=READ_RECORDS)
        batch = {tp: records for tp, records in batch.items() if tp.partition in self._partitions}
        read = sum(map(len, batch.values()))
        self._next_tick = now if read >= READ_RECORDS else now + TICK_INTERVAL
        positions, caught_up = {}, []
        for partition in self._partitions:
            tp = self._tp(partition)
            positions[partition] = position = await consumer.position(tp)
            stable = consumer.last_stable_offset(tp)
            if stable is not None and position >= stable:
                caught_up.append(partition)
        self.table.write(self._changes(batch), positions, caught_up, time.time())

    def release(self, partitions: Iterable[int]) -> None:
        """Forget revoked partitions: their keys not yet read back (their next owner reads
        the changelog) and their cached ones."""
        gone = [p for p in partitions if self._partitions.pop(p, None) is not None]
        if gone:
            self.table.release(gone)
            self._reassign = True  # the reader stops following them at its next read

    def forget(self, subject_id: str) -> int:
        """Drop the subject's key from every partition held here and from the table (the
        rights agent writes the tombstones); returns how many were held."""
        held = sum(keys.discard(subject_id) for keys in self._partitions.values())
        self.table.forget(subject_id)
        return held

    async def stop(self) -> None:
        self._partitions.clear()
        try:
            if self._consumer is not None:
                await self._consumer.stop()
        finally:
            self._consumer = None
            self.table.close()


def _change(partition: int, offset: int, key: bytes | None,
            value: bytes | None) -> KeyChange | None:
    """The record as a key change of this partition; None for anything else."""
    if key is None:
        return None
    prefix, _, subject = key.decode("utf-8", "replace").partition("/")
    if prefix != str(partition) or not subject:
        return None  # not this partition's record: ignore rather than guess
    if value is None:
        return KeyChange(partition, offset, subject, None)
    if len(value) == DATA_KEY_BYTES:
        return KeyChange(partition, offset, subject, bytes(value))
    return None
