"""Faust's Kafka transport with a short consumer fetch wait and gated commits.

Faust hard-codes `fetch_max_wait_ms=1500` for its worker consumer. With tables and idle
topics in the same fetch session, a worker fed at a few hundred events per second saw
its raw records a second or more late (p50 0.9-1.3 s; 12 ms with a 20 ms wait, measured
with benchmarks/bench_stream.py). The wait only bounds how long an empty fetch parks on
the broker, so a short one costs some idle fetch requests and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

__all__ = ["FETCH_MAX_WAIT_MS", "LowLatencyApp"]

FETCH_MAX_WAIT_MS = 20


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when its fetcher starts
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> Any:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def commit(self, topics: Any = None, start_new_transaction: bool = True) -> bool:
        """Every commit, Faust's own included, waits for the exactly-once gate (see
        streams.delivery.CommitGate) so a transaction never holds half an event."""
        gate = getattr(self.app, "commit_gate", None)
        if gate is None:
            return bool(await super().commit(topics, start_new_transaction))
        async with gate.lock:
            return bool(await super().commit(topics, start_new_transaction))


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class LowLatencyApp(faust.App):
    """faust.App whose consumer uses `FETCH_MAX_WAIT_MS`, and which awaits its
    `startup_gates` before its consumer starts (the consent view loads there)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.startup_gates: list[Callable[[], Awaitable[None]]] = []

    async def on_first_start(self) -> None:
        await super().on_first_start()
        for gate in self.startup_gates:
            await gate()

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
