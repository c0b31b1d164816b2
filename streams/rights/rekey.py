"""Rotate the suppression key: rewrite the suppressed-subjects changelog under a new key.

The ids are not kept, so entries cannot be hashed again from them; the new key wraps the
previous key's hash instead (`SubjectHasher.rekey`). Run it while no worker runs (a worker
with the new keys matches only rewritten entries): each live entry is written again under
its new hash, with the same value, to the partition the new key hashes to; once the
broker has acknowledged all of them, the old keys are tombstoned. A run that stops half
way is safe to repeat.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from redactors import codec
from redactors.suppression import SubjectHasher
from streams.rights.reader import KeyReader, partition_for
from streams.security import PLAINTEXT, ClientSecurity

__all__ = ["RekeyReport", "latest_entries", "rekey_suppression"]

_ROLL_MARKER = codec.dumps("__logwarden_roll__")  # streams.rights.compaction's, as JSON


@dataclass(frozen=True, kw_only=True)
class RekeyReport:
    entries: int  # live entries found
    rewritten: int  # written under the current key (the old keys tombstoned)


async def _partition_count(bootstrap: str, topic: str, security: ClientSecurity) -> int:
    async with KeyReader(bootstrap, security) as reader:
        return await reader.partition_count(topic)


async def latest_entries(bootstrap: str, topic: str,
                         security: ClientSecurity = PLAINTEXT) -> dict[bytes, tuple[int, bytes]]:
    """Key -> (partition, value) of every live entry of a compacted topic, to its end."""
    count = await _partition_count(bootstrap, topic, security)
    if not count:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, isolation_level="read_committed",
                                **security.aiokafka_kwargs())
    await consumer.start()
    latest: dict[bytes, tuple[int, bytes | None]] = {}
    try:
        parts = [TopicPartition(topic, p) for p in range(count)]
        consumer.assign(parts)
        ends = await consumer.end_offsets(parts)
        for tp, offset in (await consumer.beginning_offsets(parts)).items():
            consumer.seek(tp, offset)
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                for record in records:
                    if record.key is not None and record.key != _ROLL_MARKER:
                        latest[record.key] = (tp.partition, record.value)
    finally:
        await consumer.stop()
    return {key: (p, value) for key, (p, value) in latest.items() if value is not None}


async def rekey_suppression(bootstrap: str, topic: str, hasher: SubjectHasher,
                            security: ClientSecurity = PLAINTEXT) -> RekeyReport:
    entries = await latest_entries(bootstrap, topic, security)
    moves = []
    for key, (partition, value) in entries.items():
        new_key = codec.dumps(hasher.rekey(str(codec.loads(key))))
        if new_key != key:
            moves.append((key, partition, new_key, value))
    if moves:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                    enable_idempotence=True, **security.aiokafka_kwargs())
        await producer.start()
        try:
            count = await _partition_count(bootstrap, topic, security)
            sent = [await producer.send(topic, key=new_key, value=value,
                                        partition=partition_for(new_key, count))
                    for _, _, new_key, value in moves]
            for future in sent:
                await future
            gone = [await producer.send(topic, key=key, value=None, partition=partition)
                    for key, partition, _, _ in moves]
            for future in gone:
                await future
        finally:
            await producer.stop()
    return RekeyReport(entries=len(entries), rewritten=len(moves))
