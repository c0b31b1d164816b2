"""The sink's loop: fetch analytics records, buffer rows per partition, flush durably,
then commit."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata

from streams.sink.files import Flush, recover, write_flush
from streams.sink.rows import Row, decode, partition_of, row_for

__all__ = ["ParquetSink", "SinkOptions"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class SinkOptions:
    out: Path
    flush_rows: int = 50_000  # rows buffered over all partitions
    flush_seconds: float = 60.0  # the longest a fetched record waits for its file
    compression: str = "zstd"


@dataclass
class _Buffer:
    start: int
    first: int | None = None
    last: int | None = None
    rows: int = 0
    groups: dict[tuple[str, str], list[Row]] = field(default_factory=lambda: defaultdict(list))


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, sink: ParquetSink) -> None:
        self._sink = sink

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self._sink.revoked(list(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._sink.assigned(list(assigned))


class ParquetSink:
    """One consumer in the sink's group. Offsets are committed only after the files and
    the marker of a flush are durable (streams.sink.files), so a kill at any point loses
    nothing and, on restart, writes nothing twice."""

    def __init__(self, consumer: AIOKafkaConsumer, topic: str, options: SinkOptions) -> None:
        self._consumer = consumer
        self._topic = topic
        self._options = options
        self._buffers: dict[TopicPartition, _Buffer] = {}
        self._lock = asyncio.Lock()
        self._oldest: float | None = None
        self.rows_written = 0
        self.skipped = 0  # records that are not JSON objects: counted, never stored

    async def assigned(self, tps: list[TopicPartition]) -> None:
        async with self._lock:
            for tp in tps:
                committed = await self._consumer.committed(tp)
                if committed is None:
                    committed = (await self._consumer.beginning_offsets([tp]))[tp]
                found = recover(self._options.out, tp.partition, committed)
                if found.next_offset != committed:
                    await self._consumer.commit({tp: OffsetAndMetadata(found.next_offset, "")})
                if found.recognized or found.removed:
                    log.info("sink partition %d recovered: %d durable flushes recognized, "
                             "%d incomplete files removed", tp.partition, found.recognized,
                             len(found.removed))
                self._consumer.seek(tp, found.next_offset)
                self._buffers[tp] = _Buffer(start=found.next_offset)

    async def revoked(self, tps: list[TopicPartition]) -> None:
        async with self._lock:  # buffered rows are dropped: the next owner reads them again
            for tp in tps:
                self._buffers.pop(tp, None)

    async def run(self, stop: asyncio.Event) -> None:
        self._consumer.subscribe([self._topic], listener=_Listener(self))
        while not stop.is_set():
            # no more than a flush's worth at a time, so files stay near --flush-rows
            batch = await self._consumer.getmany(
                timeout_ms=200, max_records=min(5000, self._options.flush_rows))
            async with self._lock:
                for tp, records in batch.items():
                    self._add(tp, records)
                if self._due():
                    await self._flush()
        async with self._lock:
            await self._flush()

    def _add(self, tp: TopicPartition, records: list[Any]) -> None:
        buffer = self._buffers.get(tp)
        if buffer is None:
            return  # revoked since the fetch
        for record in records:
            decoded = decode(record.value)
            if decoded is None:
                self.skipped += 1
            else:
                row = row_for(decoded, tp.partition, record.offset, record.timestamp)
                buffer.groups[partition_of(decoded, record.timestamp)].append(row)
                buffer.rows += 1
            buffer.first = record.offset if buffer.first is None else buffer.first
            buffer.last = record.offset
        if records and self._oldest is None:
            self._oldest = time.monotonic()

    def _due(self) -> bool:
        if self._oldest is None:
            return False
        rows = sum(b.rows for b in self._buffers.values())
        return (rows >= self._options.flush_rows
                or time.monotonic() - self._oldest >= self._options.flush_seconds)

    async def _flush(self) -> None:
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for tp, buffer in self._buffers.items():
            if buffer.first is None or buffer.last is None:
                continue
            flush = Flush(partition=tp.partition, start=buffer.start, first=buffer.first,
                          last=buffer.last, groups=dict(buffer.groups))
            # Parquet encoding and fsync block; the loop has nothing else to do meanwhile.
            await asyncio.to_thread(write_flush, self._options.out, flush,
                                    compression=self._options.compression)
            self.rows_written += buffer.rows
            offsets[tp] = OffsetAndMetadata(flush.next_offset, "")
            self._buffers[tp] = _Buffer(start=flush.next_offset)
        self._oldest = None
        if offsets:
            try:
                await self._consumer.commit(offsets)
            except KafkaError as exc:  # the markers carry these offsets to the next owner
                log.warning("sink commit failed: %s", type(exc).__name__)
                return
            log.info("sink flushed %d partitions; %d rows written", len(offsets),
                     self.rows_written)
