"""Output batching and the per-partition key store, without a broker."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.producer.message_accumulator import BatchBuilder

from streams.dataplane.keys import PartitionKeys, _apply
from streams.dataplane.outputs import OutputBuffer


class FakeProducer:
    """create_batch/send_batch as aiokafka's, recording what was sent."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.sent: list[tuple[str, int, int]] = []  # topic, partition, records

    def create_batch(self) -> BatchBuilder:
        return BatchBuilder(self.batch_size, 0, is_transactional=False)

    async def send_batch(self, batch: BatchBuilder, topic: str, *,
                         partition: int) -> asyncio.Future[None]:
        self.sent.append((topic, partition, batch.record_count()))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


async def test_one_batch_per_destination_and_a_full_batch_is_split():
    producer = FakeProducer(batch_size=4096)
    buffer = OutputBuffer(producer)  # type: ignore[arg-type]
    for i in range(100):
        buffer.append("a", i % 2, None, b"x" * 100, [("lw-src", b"0:1")])
    buffer.append("k", 0, b"0/u", None)
    futures = await buffer.flush()
    assert len(futures) == len(producer.sent)
    per_destination: dict[tuple[str, int], int] = {}
    for topic, partition, count in producer.sent:
        per_destination[topic, partition] = per_destination.get((topic, partition), 0) + count
    assert per_destination == {("a", 0): 50, ("a", 1): 50, ("k", 0): 1}
    assert len(producer.sent) > 3  # 50 records of ~130 bytes do not fit one 4 KiB batch
    assert buffer.records == 0
    assert await buffer.flush() == []


async def test_a_record_larger_than_a_batch_goes_in_a_batch_of_its_own():
    producer = FakeProducer(batch_size=512)
    buffer = OutputBuffer(producer)  # type: ignore[arg-type]
    buffer.append("a", 0, None, b"small")
    buffer.append("a", 0, None, b"x" * 4096)
    buffer.append("a", 0, None, b"small")
    await buffer.flush()
    assert producer.sent == [("a", 0, 1), ("a", 0, 1), ("a", 0, 1)]


def test_partition_keys_queue_creations_and_deletions_for_their_partition():
    created: list[int] = []
    keys = PartitionKeys(3, {}, lambda: created.append(1))
    first = keys.get_or_create("u-1")
    assert keys.get_or_create("u-1") == first
    assert len(first) == 32
    keys.delete("u-1")
    keys.delete("never")
    assert keys.take_pending() == [(b"3/u-1", first), (b"3/u-1", None)]
    assert keys.take_pending() == []
    assert keys.get("u-1") is None
    assert created == [1]


@pytest.mark.parametrize(("key", "value", "expected"), [
    (b"1/u-1", b"k" * 32, {"u-1": b"k" * 32}),
    (b"1/u-1", None, {}),  # a tombstone removes it
    (b"2/u-1", b"k" * 32, {}),  # another partition's record
    (b"1/u-1", b"short", {}),  # not a key
    (None, b"k" * 32, {}),
])
def test_changelog_records_fold_into_one_partitions_keys(key, value, expected):
    keys = {"u-1": b"o" * 32} if value is None else {}
    _apply(keys, 1, key, value)
    assert keys == expected
