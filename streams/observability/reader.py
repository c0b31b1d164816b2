"""Read a consumer group's offsets straight from the broker (no faust counters)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams.security import PLAINTEXT, ClientSecurity

__all__ = ["GroupOffsets", "OffsetReader"]

_TIMESTAMP_WAIT = 2.0  # seconds to wait for the records at the committed offsets


@dataclass(frozen=True, slots=True)
class GroupOffsets:
    """One reading: committed and latest offsets, head-of-backlog timestamps, live members."""

    committed: dict[TopicPartition, int]
    latest: dict[TopicPartition, int]
    backlog_since: dict[TopicPartition, float]  # timestamp of the record at `committed`
    markers_only: set[TopicPartition]  # between committed and latest: transaction markers
    members: int
    taken_at: float


PARTITIONS_TTL = 60.0  # seconds between reads of the watched topics' partitions


class OffsetReader:
    """Admin offsets, end offsets and one record per lagging partition, reusing clients."""

    def __init__(self, bootstrap: str, group: str, topics: Sequence[str] = (), *,
                 security: ClientSecurity = PLAINTEXT) -> None:
        self.bootstrap, self.group, self.topics = bootstrap, group, tuple(topics)
        self.security = security
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._partitions: set[TopicPartition] | None = None
        self._partitions_at = 0.0

    async def start(self) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap,
                                          client_id="logwarden-lag",
                                          **self.security.aiokafka_kwargs())
        await self._admin.start()
        # No group: this consumer only seeks and peeks; it never joins or commits.
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
            auto_offset_reset="earliest", client_id="logwarden-lag",
            max_partition_fetch_bytes=64 * 1024, fetch_max_bytes=1024 * 1024,
            **self.security.aiokafka_kwargs(),
        )
        await self._consumer.start()

    async def close(self) -> None:
        consumer, admin = self._consumer, self._admin
        self._admin = self._consumer = None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()

    async def read(self) -> GroupOffsets:
        if self._admin is None or self._consumer is None:
            await self.start()
        assert self._admin is not None
        assert self._consumer is not None
        offsets = await self._admin.list_consumer_group_offsets(self.group)
        committed = {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        tps = set(committed) | await self._topic_partitions()
        latest: dict[TopicPartition, int] = (
            await self._consumer.end_offsets(list(tps)) if tps else {})
        lagging = {tp: off for tp, off in committed.items() if latest.get(tp, off) > off}
        heads, markers_only = await self._backlog_heads(lagging, latest)
        return GroupOffsets(committed=committed, latest=latest, backlog_since=heads,
                            markers_only=markers_only, members=await self._members(),
                            taken_at=time.time())

    async def _topic_partitions(self) -> set[TopicPartition]:
        """The watched topics' partitions, read at most every PARTITIONS_TTL seconds:
        listing topics returns the whole cluster's metadata, and decoding it on every
        sample (a few thousand partitions here) stalled the worker's loop 15-30 ms."""
        now = time.monotonic()
        if self._partitions is not None and now - self._partitions_at < PARTITIONS_TTL:
            return self._partitions
        assert self._admin is not None
        # Only topics that exist: describing a missing one lets auto-create make it.
        present = set(await self._admin.list_topics())
        existing = [t for t in self.topics if t in present]
        found: set[TopicPartition] = set()
        if existing:
            described = await self._admin.describe_topics(existing)
            found = {TopicPartition(t["topic"], p["partition"])
                     for t in described if t["error_code"] == 0 for p in t["partitions"]}
        if found or not self.topics:
            self._partitions, self._partitions_at = found, now
        return found

    async def _members(self) -> int:
        assert self._admin is not None
        responses = await self._admin.describe_consumer_groups([self.group])
        return sum(len(group[5]) for response in responses for group in response.groups)

    async def _backlog_heads(self, positions: dict[TopicPartition, int],
                             latest: dict[TopicPartition, int]
                             ) -> tuple[dict[TopicPartition, float], set[TopicPartition]]:
        """Seek to each committed offset and read the timestamp of the first record there.

        A partition whose consumer position reaches the end without a record held only
        transaction markers (exactly-once commits sit just before the commit marker):
        it is caught up, not one record behind.
        """
        consumer = self._consumer
        assert consumer is not None
        found: dict[TopicPartition, float] = {}
        markers_only: set[TopicPartition] = set()
        if not positions:
            return found, markers_only
        consumer.assign(list(positions))
        for tp, offset in positions.items():
            consumer.seek(tp, offset)
        deadline = time.monotonic() + _TIMESTAMP_WAIT
        while len(found) + len(markers_only) < len(positions) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200, max_records=len(positions) * 4)
            for tp, records in batch.items():
                if records and tp not in found:
                    found[tp] = records[0].timestamp / 1000.0
                    consumer.pause(tp)
            for tp in set(positions) - set(found) - markers_only:
                if await consumer.position(tp) >= latest[tp]:
                    markers_only.add(tp)
                    consumer.pause(tp)
            await asyncio.sleep(0)
        consumer.assign([])
        return found, markers_only
