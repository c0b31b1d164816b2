"""The sampler against the real broker: exact time lag, and transaction markers are no lag."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.observability.burrow import Status
from streams.observability.lag import LagSampler, PartitionLag
from tests.kafkit import create_topics

pytestmark = pytest.mark.kafka


async def commit(bootstrap: str, group: str, tp: TopicPartition, offset: int) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.commit({tp: offset})
    finally:
        await consumer.stop()


async def sample(bootstrap: str, group: str, topic: str) -> PartitionLag:
    sampler = LagSampler(bootstrap, group, [topic], min_distance=0)
    try:
        snap = await sampler.sample()
    finally:
        await sampler.close()
    assert snap is not None
    return next(p for p in snap.partitions if p.topic == topic and p.partition == 0)


def test_time_lag_is_the_age_of_the_record_at_the_committed_offset(kafka_bootstrap,
                                                                    topic_prefix):
    topic, group = f"{topic_prefix}logs.raw", f"{topic_prefix}app"
    tp = TopicPartition(topic, 0)

    async def scenario() -> PartitionLag:
        await create_topics(kafka_bootstrap, [topic], partitions=1)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
        await producer.start()
        now_ms = int(time.time() * 1000)
        try:
            for n, age in enumerate((600, 300, 120, 5)):  # seconds old
                await producer.send_and_wait(topic, b"{}", partition=0,
                                             timestamp_ms=now_ms - age * 1000 - n)
        finally:
            await producer.stop()
        await commit(kafka_bootstrap, group, tp, 2)  # the next record is 120 s old
        return await sample(kafka_bootstrap, group, topic)

    row = asyncio.run(scenario())
    assert (row.committed, row.latest, row.lag) == (2, 4, 2)
    assert row.lag_seconds is not None
    assert 120 <= row.lag_seconds < 140
    assert row.status == Status.STOP  # nobody is in the group


def test_exactly_once_commit_before_the_marker_is_caught_up(kafka_bootstrap, topic_prefix):
    topic, group = f"{topic_prefix}logs.raw", f"{topic_prefix}app"
    tp = TopicPartition(topic, 0)

    async def scenario() -> PartitionLag:
        await create_topics(kafka_bootstrap, [topic], partitions=1)
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap,
                                    transactional_id=f"{topic_prefix}tx")
        await producer.start()
        try:
            async with producer.transaction():
                for _ in range(5):
                    await producer.send(topic, b"{}", partition=0)
        finally:
            await producer.stop()
        await commit(kafka_bootstrap, group, tp, 5)  # offset 5 is the commit marker
        return await sample(kafka_bootstrap, group, topic)

    row = asyncio.run(scenario())
    assert (row.committed, row.latest) == (5, 6)
    assert row.lag == 0
    assert row.lag_seconds == 0.0
    assert row.status == Status.OK
