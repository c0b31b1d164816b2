"""Exactly-once: after an abort it seeks back no further than its own last commit, and a
transaction with a failed send is aborted, never committed."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import OutOfOrderSequenceNumber

from streams.dataplane.delivery import ExactlyOnce, ProducerOptions, _Txn

TP = TopicPartition("logs.raw", 0)


class FakeConsumer:
    """committed/seek as aiokafka's: the broker's answer is given, the seeks recorded."""

    def __init__(self, committed: int | None) -> None:
        self._committed = committed
        self.seeks: list[int | str] = []

    async def committed(self, tp: TopicPartition) -> int | None:
        return self._committed

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append(offset)

    async def seek_to_beginning(self, tp: TopicPartition) -> None:
        self.seeks.append("beginning")


@pytest.mark.parametrize(("broker_says", "ours", "sought"), [
    (None, None, "beginning"),  # never committed: auto_offset_reset earliest
    (120, None, 120),  # a new owner believes the broker
    (5, 1325, 1325),  # a stale answer (no require_stable) never sends us back
    (None, 1325, 1325),
    (2000, 1325, 2000),  # the group moved on (another owner committed later)
])
async def test_seek_floor(broker_says, ours, sought):
    consumer = FakeConsumer(broker_says)
    delivery = ExactlyOnce(consumer, ProducerOptions(bootstrap="127.0.0.1:1"),  # type: ignore[arg-type]
                           None, group="g", interval=1.0, max_events=10,  # type: ignore[arg-type]
                           on_fenced=lambda tp: None)
    await delivery._seek_to_committed(TP, ours)
    assert consumer.seeks == [sought]


class FakeProducer:
    """The transactional calls _close and _abort make, recorded."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def send_offsets_to_transaction(self, offsets: dict[TopicPartition, int],
                                          group: str) -> None:
        self.calls.append(f"offsets {offsets[TP]}")

    async def commit_transaction(self) -> None:
        self.calls.append("commit")

    async def abort_transaction(self) -> None:
        self.calls.append("abort")

    async def start(self) -> None:
        self.calls.append("start")

    async def stop(self) -> None:
        self.calls.append("stop")


class FakeOptions:
    """ProducerOptions that make fake producers (a replacement is a new one)."""

    def __init__(self) -> None:
        self.made: list[FakeProducer] = []

    def producer(self, **kwargs: object) -> FakeProducer:
        self.made.append(FakeProducer())
        return self.made[-1]


class FakeKeys:
    changelog = "keys-changelog"

    def release(self, partitions: object) -> None:
        pass

    async def load(self, partitions: object) -> None:
        pass


def _send(error: Exception | None) -> asyncio.Future[None]:
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
    return future


@pytest.mark.parametrize(("error", "calls", "committed"), [
    (None, ["offsets 10", "commit"], 10),
    # aiokafka would commit this transaction without the failed batch (its
    # flush_for_commit waits for sends but ignores their failures): abort instead, and
    # replace the producer, whose epoch fails every later send after such an error.
    (OutOfOrderSequenceNumber(), ["abort", "stop"], None),
])
async def test_a_transaction_with_a_failed_send_is_aborted_not_committed(error, calls,
                                                                          committed):
    consumer, producer, options = FakeConsumer(3), FakeProducer(), FakeOptions()
    delivery = ExactlyOnce(consumer, options,  # type: ignore[arg-type]
                           FakeKeys(), group="g", interval=1.0, max_events=10,  # type: ignore[arg-type]
                           on_fenced=lambda tp: None)
    delivery._txns[TP] = _Txn(producer, open=True, began=True, next_offset=10,  # type: ignore[arg-type]
                              sends=[_send(None), _send(error)])
    await delivery._close(TP)
    txn = delivery._txns[TP]
    assert producer.calls == calls
    assert txn.committed == committed
    assert txn.sends == []
    if error is None:
        assert txn.producer is producer
        assert consumer.seeks == []
    else:
        assert txn.producer is options.made[0]
        assert options.made[0].calls == ["start"]
        assert consumer.seeks == [3]  # back to the committed offset
