"""After an abort, exactly-once seeks back no further than its own last commit."""

from __future__ import annotations

import pytest
from aiokafka import TopicPartition

from streams.dataplane.delivery import ExactlyOnce, ProducerOptions

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
