"""Submit a rights request to privacy.requests and wait for its receipt."""

from __future__ import annotations

import time
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from redactors import codec
from schemas.rights import RightsRequest
from streams.security import PLAINTEXT, ClientSecurity
from streams.topics import TopicNames

__all__ = ["publish_receipt", "submit_request"]


async def _await_receipt(consumer: AIOKafkaConsumer, request_id: str,
                         wait: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        batch = await consumer.getmany(timeout_ms=500)
        for records in batch.values():
            for record in records:
                receipt = codec.loads(record.value) if record.value else None
                if isinstance(receipt, dict) and receipt.get("request_id") == request_id:
                    return receipt
    return None


async def submit_request(bootstrap: str, names: TopicNames, request: RightsRequest, *,
                         wait: float | None,
                         security: ClientSecurity = PLAINTEXT) -> dict[str, Any] | None:
    """Produce the request (keyed by subject id, so the default partitioner puts it where
    the worker expects); with `wait`, the receipt the worker writes for it within that
    many seconds, else None."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                **security.aiokafka_kwargs())
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, isolation_level="read_committed",
                                **security.aiokafka_kwargs())
    try:
        await producer.start()
        await consumer.start()
        if wait:  # position at the receipts' current end before the request exists
            tps = [TopicPartition(names.receipts, p)
                   for p in sorted(await producer.partitions_for(names.receipts))]
            consumer.assign(tps)
            for tp, offset in (await consumer.end_offsets(tps)).items():
                consumer.seek(tp, offset)
        await producer.send_and_wait(names.requests, key=request.subject_id.encode(),
                                     value=codec.dumps(request.to_dict()))
        return await _await_receipt(consumer, request.request_id, wait) if wait else None
    finally:
        await consumer.stop()
        await producer.stop()


async def publish_receipt(bootstrap: str, names: TopicNames, receipt: dict[str, Any], *,
                          security: ClientSecurity = PLAINTEXT) -> None:
    """Write a receipt for work done outside the worker (the `export` command)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                **security.aiokafka_kwargs())
    try:
        await producer.start()
        subject = receipt.get("subject")
        await producer.send_and_wait(names.receipts, value=codec.dumps(receipt),
                                     key=subject.encode() if isinstance(subject, str) else None)
    finally:
        await producer.stop()
