"""On the real broker, the compacted-topic settings physically remove an erased value and
then its tombstone: the mechanism behind the README's erasure bound, at seconds scale."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.rights.compaction import ROLL_MARKER
from streams.topics import Retention, TopicNames, topic_specs
from tests.kafkit import create_topics, produce

pytestmark = pytest.mark.kafka

# The shipped keys and shape, with the roll period and tombstone retention scaled down.
SCALED = Retention(compaction_roll_ms=1000, tombstone_ms=1000)


async def _read(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes | None]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        end = (await consumer.end_offsets([tp]))[tp]
        consumer.seek(tp, (await consumer.beginning_offsets([tp]))[tp])
        out: list[tuple[bytes | None, bytes | None]] = []
        while await consumer.position(tp) < end:
            batch = await consumer.getmany(tp, timeout_ms=1000)
            out += [(r.key, r.value) for r in batch.get(tp, [])]
        return out
    finally:
        await consumer.stop()


def test_tombstoned_value_then_tombstone_are_physically_removed(kafka_bootstrap, topic_prefix):
    names = TopicNames(prefix=topic_prefix)
    spec = next(s for s in topic_specs(names, 1, SCALED) if s.name == names.consent)
    assert spec.config["cleanup.policy"] == "compact"
    asyncio.run(create_topics(kafka_bootstrap, [spec.name], partitions=1, config=spec.config))
    asyncio.run(produce(kafka_bootstrap, spec.name, [b'{"birth_year":1990}', b'{"keep":1}'],
                        [b"erased-subject", b"other-subject"]))
    asyncio.run(produce(kafka_bootstrap, spec.name, [None], [b"erased-subject"]))

    value_gone = tombstone_gone = None
    started = time.monotonic()
    while time.monotonic() - started < 120 and tombstone_gone is None:
        time.sleep(2)
        # What the worker's roll marker does: an append, so the active segment can roll.
        asyncio.run(produce(kafka_bootstrap, spec.name, [None], [ROLL_MARKER]))
        records = [r for r in asyncio.run(_read(kafka_bootstrap, spec.name))
                   if r[0] != ROLL_MARKER]
        if value_gone is None and (b"erased-subject", b'{"birth_year":1990}') not in records:
            value_gone = time.monotonic() - started
        if value_gone is not None and all(key != b"erased-subject" for key, _ in records):
            tombstone_gone = time.monotonic() - started
        assert (b"other-subject", b'{"keep":1}') in records  # compaction keeps live data
    assert value_gone is not None, "the erased value was never compacted away"
    assert tombstone_gone is not None, "the tombstone outlived delete.retention.ms"
