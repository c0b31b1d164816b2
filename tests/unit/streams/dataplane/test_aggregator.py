"""The aggregator's bookkeeping without Kafka: windows, late contributions, replay offsets,
and what one release transaction holds (a small fake producer records it)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber

from redactors import codec
from redactors.policy import load_policy
from streams.dataplane.aggregation import STATE_KEY, Aggregator

DAY = 1_764_547_200
PLAN = load_policy().aggregates
METRICS = tuple(dataclasses.replace(m, window_seconds=10, grace_seconds=5, epsilon=50.0)
                for m in PLAN.metrics)
SHORT = dataclasses.replace(PLAN, metrics=METRICS)


class FakeProducer:
    """Records each committed transaction's sends; a raising body commits nothing."""

    def __init__(self) -> None:
        self.committed: list[list[tuple[str, bytes | None, bytes]]] = []
        self._open: list[tuple[str, bytes | None, bytes]] | None = None
        self.fail = False

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self._open = []
        yield
        self.committed.append(self._open)
        self._open = None

    async def send(self, topic: str, value: bytes, key: bytes | None = None,
                   partition: int | None = None) -> asyncio.Future[None]:
        """Like aiokafka's: a future for the broker's answer (`fail`: an error for good)."""
        assert self._open is not None, "send outside a transaction"
        self._open.append((topic, key, value))
        answer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.fail:
            answer.set_exception(OutOfOrderSequenceNumber())
        else:
            answer.set_result(None)
        return answer


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def aggregator(clock: Clock) -> tuple[Aggregator, FakeProducer]:
    agg = Aggregator(plan=SHORT, policy_version="v", bootstrap="127.0.0.1:9", group="g",
                     topic="c", state_topic="s", output_topic="o", clock=clock)
    producer = FakeProducer()
    agg._producer = producer  # type: ignore[assignment]
    agg._released = [DAY] * len(METRICS)
    return agg, producer


def record(*entries: tuple[str, float, list[str | None]]) -> bytes:
    return codec.dumps({"c": [list(e) for e in entries]})


async def test_a_window_is_released_once_after_grace_with_its_replay_offsets() -> None:
    clock = Clock(DAY + 3)
    agg, producer = aggregator(clock)
    agg._fold(0, 40, record(("s:a", DAY + 1, ["/x", "FR", "Firefox"]),
                            ("s:b", DAY + 2, ["/x", None, "Chrome"])))
    agg._fold(1, 7, record(("s:a", DAY + 11, ["/y", None, None])))  # the next window
    await agg._release_due()
    assert producer.committed == []  # window [DAY, DAY+10) is in its grace until DAY+15
    clock.now = DAY + 15
    await agg._release_due()
    (sends,) = producer.committed
    releases = {key: codec.loads(v) for topic, key, v in sends if topic == "o"}
    assert set(releases) == {f"{m.name}/{DAY}".encode() for m in METRICS}
    browsers = releases[f"browser_family_users_daily/{DAY}".encode()]["counts"]
    assert (browsers["Firefox"], browsers["Chrome"], browsers["Safari"]) == (1, 1, 0)
    state = codec.loads(next(v for topic, key, v in sends if key == STATE_KEY))
    assert state["released"] == {m.name: DAY + 10 for m in METRICS}
    # partition 1 must be replayed from offset 7 (its window is open); 0 from after 40
    assert state["offsets"] == {"0": 41, "1": 7}
    await agg._release_due()
    assert len(producer.committed) == 1  # released once


async def test_a_release_whose_send_failed_is_not_committed() -> None:
    """aiokafka would commit a transaction around a send that failed for good; the
    aggregator checks its sends, so the release aborts (and is retried after reload)."""
    agg, producer = aggregator(Clock(DAY + 15))
    producer.fail = True
    with pytest.raises(OutOfOrderSequenceNumber):
        await agg._release_due()
    assert producer.committed == []


async def test_contributions_to_a_released_window_are_late_and_dropped() -> None:
    clock = Clock(DAY + 15)
    agg, producer = aggregator(clock)
    await agg._release_due()
    assert len(producer.committed) == 1
    agg._fold(0, 1, record(("s:a", DAY + 1, ["/x", "FR", "Chrome"])))
    assert agg._late == [1, 1, 1]
    assert agg._bounder.users_held == 0
    agg._flush_stats()
    assert agg._late == [0, 0, 0]


async def test_a_user_past_the_bound_is_ignored_and_garbage_is_skipped() -> None:
    clock = Clock(DAY + 1)
    agg, _ = aggregator(clock)
    pages = [("s:heavy", DAY + 1, [f"/p{i}", None, None]) for i in range(50)]
    agg._fold(0, 1, record(*pages))
    agg._fold(0, 2, b"not json")
    agg._fold(0, 3, codec.dumps({"c": [["s:x"], 5, None]}))
    window = agg._bounder.windows[0][DAY]
    assert sum(window.counts.values()) == METRICS[0].max_keys_per_user
    assert agg._bounded_out[0] == 50 - METRICS[0].max_keys_per_user
    assert agg._next == {0: 4}
