"""Read a window of the analytics topic: the last records of each partition, or those
since a time; a group-less consumer that never commits."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from redactors import codec
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
        tps = await _partitions(bootstrap, topic, security)
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


async def _partitions(bootstrap: str, topic: str,
                      security: ClientSecurity) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="logwarden-risk",
                                **security.aiokafka_kwargs())
    await admin.start()
    try:
        # Only a topic that exists: describing a missing one lets auto-create make it.
        if topic not in set(await admin.list_topics()):
            raise LookupError(f"topic {topic} not found")
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(TopicPartition(topic, p["partition"])
                  for t in described if t["error_code"] == 0 for p in t["partitions"])


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
