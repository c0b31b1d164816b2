"""Output batching and the per-partition key store, without a broker."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.producer.message_accumulator import BatchBuilder

from streams.dataplane.keys import PartitionKeys, _change
from streams.dataplane.outputs import OutputBuffer
from streams.partitioning import partition_for
from streams.state.keys import KeyChange, MemoryKeys


class KeyRecordingBuilder(BatchBuilder):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys: list[bytes | None] = []

    def append(self, *, key: bytes | None, **kwargs: Any) -> Any:
        appended = super().append(key=key, **kwargs)
        if appended is not None:
            self.keys.append(key)
        return appended


class FakeProducer:
    """create_batch/send_batch as aiokafka's, recording what was sent."""

    def __init__(self, batch_size: int, partitions: int = 4) -> None:
        self.batch_size = batch_size
        self.partitions = partitions
        self.sent: list[tuple[str, int, int]] = []  # topic, partition, records
        self.keys: list[tuple[str, int, bytes | None]] = []  # topic, partition, key

    def create_batch(self) -> BatchBuilder:
        return KeyRecordingBuilder(self.batch_size, 0, is_transactional=False)

    async def partitions_for(self, topic: str) -> set[int]:
        return set(range(self.partitions))

    async def send_batch(self, batch: BatchBuilder, topic: str, *,
                         partition: int) -> asyncio.Future[None]:
        self.sent.append((topic, partition, batch.record_count()))
        self.keys += [(topic, partition, key) for key in getattr(batch, "keys", ())]
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


async def test_keyed_records_go_to_their_keys_partition_in_order():
    producer = FakeProducer(batch_size=1 << 20, partitions=4)
    buffer = OutputBuffer(producer)  # type: ignore[arg-type]
    subjects = [f"u-{i}".encode() for i in range(40)]
    for n, subject in enumerate(subjects * 2):
        buffer.append("identifiable", None, subject, str(n).encode())
    buffer.append("analytics", 3, None, b"a")
    await buffer.flush()
    placed = [(p, key) for topic, p, key in producer.keys if topic == "identifiable"]
    assert len(placed) == 80
    assert {key: p for p, key in placed} == {s: partition_for(s, 4) for s in subjects}
    assert len({p for p, _ in placed}) == 4
    assert ("analytics", 3, None) in producer.keys
    assert buffer.records == 0
    with pytest.raises(ValueError, match="needs a key"):
        buffer.append("identifiable", None, None, b"x")


@pytest.mark.parametrize(("key", "java"), [  # Kafka's UtilsTest.testMurmur2 vectors
    (b"21", -973932308), (b"foobar", -790332482), (b"a-little-bit-long-string", -985981536),
    (b"a-little-bit-longer-string", -1486304829),
    (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971), (b"abc", 479470107)])
def test_partition_for_matches_javas_default_partitioner(key: bytes, java: int) -> None:
    # Java: Utils.toPositive(Utils.murmur2(key)) % numPartitions
    for partitions in (1, 4, 12, 100):
        assert partition_for(key, partitions) == (java & 0x7FFFFFFF) % partitions


def test_partition_keys_queue_creations_and_deletions_for_their_partition():
    created: list[int] = []
    keys = PartitionKeys(3, MemoryKeys(), lambda: created.append(1))
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
    (b"2/u-1", b"k" * 32, {"u-1": b"o" * 32}),  # another partition's record
    (b"1/u-1", b"short", {"u-1": b"o" * 32}),  # not a key
    (None, b"k" * 32, {"u-1": b"o" * 32}),
])
def test_changelog_records_fold_into_one_partitions_keys(key, value, expected):
    table = MemoryKeys()
    table.write([KeyChange(1, 0, "u-1", b"o" * 32)], {}, (), 0.0)
    change = _change(1, 7, key, value)
    table.write([] if change is None else [change], {}, (), 0.0)
    assert {s: k for s in ("u-1",) if (k := table.get(1, s)) is not None} == expected


def test_a_fresh_key_stays_in_memory_until_read_back_committed():
    table = MemoryKeys()
    keys = PartitionKeys(2, table, lambda: None)
    created = keys.get_or_create("u-1")
    assert (keys.fresh(), table.get(2, "u-1")) == (1, None)  # not in the table yet
    keys.read_back("u-1", b"x" * 32)  # an older committed key: the fresh one still wins
    assert keys.get("u-1") == created
    keys.read_back("u-1", created)
    table.write([KeyChange(2, 5, "u-1", created)], {2: 6}, (), 0.0)
    assert (keys.fresh(), keys.get("u-1")) == (0, created)
