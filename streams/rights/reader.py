"""Read back what a topic holds under one key, touching only the partition it hashes to."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import murmur2

from redactors import codec
from redactors.export import HeldRecord
from streams.security import PLAINTEXT, ClientSecurity

__all__ = ["KeyReader", "partition_for"]

_UNKNOWN_TOPIC = 3


def partition_for(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner (murmur2, as in Java and aiokafka) picks."""
    return int(murmur2(key) & 0x7FFFFFFF) % partitions


def _held(topic: str, partition: int, offset: int, timestamp: int,
          value: bytes | None) -> HeldRecord:
    decoded = None
    if value is not None:
        try:
            decoded = codec.loads(value)
        except codec.DecodeError:
            decoded = {"undecodable": True}  # still reported, so the count is honest
        if not isinstance(decoded, dict):
            decoded = {"value": decoded}
    return HeldRecord(topic=topic, partition=partition, offset=offset, timestamp_ms=timestamp,
                      value=decoded)


class KeyReader:
    """One consumer and one admin client for several keyed reads (`async with`)."""

    def __init__(self, bootstrap: str, security: ClientSecurity = PLAINTEXT) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000,
                                          **security.aiokafka_kwargs())
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                          group_id=None, isolation_level="read_committed",
                                          auto_offset_reset="earliest",
                                          **security.aiokafka_kwargs())
        self.partitions_read: dict[str, list[int]] = {}

    async def __aenter__(self) -> KeyReader:
        try:
            await self._admin.start()
            await self._consumer.start()
        except BaseException:
            await self._consumer.stop()  # no "Unclosed" warning after a refused start
            await self._admin.close()
            raise
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def partition_count(self, topic: str) -> int:
        """Partitions of `topic` on the broker; 0 when it does not exist."""
        described = await self._admin.describe_topics([topic])
        for entry in described:
            if entry["topic"] == topic and entry["error_code"] == 0:
                return len(entry["partitions"])
        return 0

    async def read(self, topic: str, key: bytes,
                   partitions: Iterable[int] | None = None) -> list[HeldRecord]:
        """Every record with `key` in the given partitions (default: the one the key hashes
        to), from their start up to their current end. Tombstones come back with value
        None. A topic that does not exist holds nothing."""
        count = await self.partition_count(topic)
        if not count:
            return []
        chosen = [partition_for(key, count)] if partitions is None else list(partitions)
        held: list[HeldRecord] = []
        for partition in chosen:
            for offset, timestamp, value in await self.read_raw(topic, partition, key):
                held.append(_held(topic, partition, offset, timestamp, value))
        return held

    async def read_raw(self, topic: str, partition: int,
                       key: bytes) -> list[tuple[int, int, bytes | None]]:
        """(offset, timestamp ms, value bytes or None) of every record with `key` in one
        partition, from its start up to its current end."""
        tp = TopicPartition(topic, partition)
        self.partitions_read.setdefault(topic, []).append(partition)
        self._consumer.assign([tp])
        end = (await self._consumer.end_offsets([tp]))[tp]
        # An explicit seek: seek_to_beginning() races with the reset that assign() starts.
        self._consumer.seek(tp, (await self._consumer.beginning_offsets([tp]))[tp])
        found: list[tuple[int, int, bytes | None]] = []
        while await self._consumer.position(tp) < end:
            batch = await self._consumer.getmany(tp, timeout_ms=1000, max_records=2000)
            for record in batch.get(tp, []):
                if record.offset < end and record.key == key:
                    found.append((record.offset, record.timestamp, record.value))
        return found
