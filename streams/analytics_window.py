"""Read a window of the analytics topic: the last records of each partition, or those
since a time; a group-less consumer that never commits."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from schemas import codec
from streams.security import PLAINTEXT, ClientSecurity

__all__ = ["read_window"]


async def read_window(bootstrap: str, topic: str, *, records: int | None = None,
                      since_seconds: float | None = None, timeout: float = 30.0,
                      security: ClientSecurity = PLAINTEXT) -> list[dict[str, Any]]:
    """The decoded JSON objects of the window: the newest `records` per partition, or
    those written in the last `since_seconds` (both: the narrower). Records that are not
    JSON objects are skipped."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                isolation_level="read_committed", client_id="logwarden-risk",
                                **security.aiokafka_kwargs())
    await consumer.start()
    try:
        if topic not in await consumer.topics():  # also loads the partitions' metadata
            raise LookupError(f"topic {topic} not found")
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise LookupError(f"topic {topic} not found")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        first = await consumer.beginning_offsets(tps)
        end = await consumer.end_offsets(tps)
        start = dict(first)
        if records is not None:
            start = {tp: max(first[tp], end[tp] - records) for tp in tps}
        if since_seconds is not None:
            found = await consumer.offsets_for_times(
                {tp: int((time.time() - since_seconds) * 1000) for tp in tps})
            start = {tp: max(start[tp], found[tp].offset if found.get(tp) else end[tp])
                     for tp in tps}
        for tp in tps:
            consumer.seek(tp, start[tp])
        return await _drain(consumer, tps, end, timeout)
    finally:
        await consumer.stop()


async def _drain(consumer: AIOKafkaConsumer, tps: list[TopicPartition],
                 end: dict[TopicPartition, int], timeout: float) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    pending = {tp for tp in tps if await consumer.position(tp) < end[tp]}
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"window not read within {timeout:g} s")
        batch = await consumer.getmany(*pending, timeout_ms=500)
        for records in batch.values():
            for record in records:
                try:
                    value = codec.loads(record.value or b"")
                except codec.DecodeError:
                    continue
                if isinstance(value, dict):
                    out.append(value)
        for tp in list(pending):
            if await consumer.position(tp) >= end[tp]:
                pending.discard(tp)
        await asyncio.sleep(0)
    return out
