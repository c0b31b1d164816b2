"""The data plane: raw records fetched in batches, routed, sent, committed.

A mode Service the Faust app starts once its tables are recovered and the consent view
is loaded. It owns an aiokafka consumer in the group `{app_id}-data` (Faust's own
consumer keeps the group `{app_id}` for the rights agent and the suppression table)
and the producers of its delivery mode (streams.dataplane.delivery). Faust's
per-event path (a fetch loop with four tasks per message, a stream iterator, a send
future per record) cost more than the engine itself; see notes/stream-throughput.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from mode import Service

from streams.dataplane.delivery import Delivery, Output, Routed
from streams.dataplane.keys import KeyStore
from streams.dataplane.router import Router
from streams.dataplane.tally import BatchTally
from streams.hooks import PipelineHooks
from streams.records import SourceRef

__all__ = ["DataPlane"]

log = logging.getLogger(__name__)

FETCH_MAX_WAIT_MS = 20  # bounds how long an empty fetch parks on the broker
POLL_TIMEOUT_MS = 10
# CPython's defaults (700, 10, 10) collect the young generation every 700 allocations
# and the whole heap often enough that a full pass over the engine's caches (tens of
# ms) lands in the latency tail. After start-up the heap that lives forever (policy,
# detectors, consent view) is frozen out of collection, and the young generations are
# collected less often (a warm engine loop: full collections 45 ms -> none, 10-30 % more
# events per second in that loop).
GC_THRESHOLDS = (10_000, 50, 100)


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, plane: DataPlane) -> None:
        self._plane = plane

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self._plane.revoked(list(revoked))

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._plane.assigned(list(assigned))


class DataPlane(Service):
    """Fetch, route, deliver; one batch at a time, under a lock shared with rebalances."""

    _consumer: AIOKafkaConsumer
    _delivery: Delivery

    def __init__(self, *, consumer: Callable[[], AIOKafkaConsumer], topic: str,
                 router: Router, keys: KeyStore,
                 delivery: Callable[[AIOKafkaConsumer, DataPlane], Delivery],
                 hooks: PipelineHooks, max_records: int, **kwargs: Any) -> None:
        """`consumer` and `delivery` build their clients once the loop runs (on_start)."""
        super().__init__(**kwargs)
        self._new_consumer = consumer
        self._new_delivery = delivery
        self._topic = topic
        self._router = router
        self._keys = keys
        self._hooks = hooks
        self._max_records = max_records
        self._lock = asyncio.Lock()
        self._stopping = False
        self.assignment: frozenset[TopicPartition] = frozenset()
        self.events = 0

    async def on_start(self) -> None:
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        self._consumer = self._new_consumer()
        self._delivery = self._new_delivery(self._consumer, self)
        await self._delivery.start()
        await self._consumer.start()
        self._consumer.subscribe([self._topic], listener=_Rebalance(self))
        log.info("data plane started", extra={"topic": self._topic})

    async def on_stop(self) -> None:
        try:
            async with self._lock:
                self._stopping = True  # a rebalance from here on changes nothing
                await self._delivery.stop()
        finally:
            # Outside the lock: the consumer's close waits for the group coordinator, which
            # in a rebalance calls assigned()/revoked(), which take the lock (a SIGTERM'd
            # worker hung there until killed: the three-worker scale-out test).
            try:
                await self._consumer.stop()
            finally:
                async with self._lock:
                    await self._keys.stop()
        log.info("data plane stopped", extra={"events": self.events})

    async def assigned(self, tps: list[TopicPartition]) -> None:
        async with self._lock:
            if self._stopping:
                return
            await self._delivery.assigned(tps)
            self.assignment = frozenset(tps)
            self._hooks.on_assigned(len(tps))

    async def revoked(self, tps: list[TopicPartition]) -> None:
        async with self._lock:
            self.assignment = frozenset()
            if self._stopping:
                return
            await self._delivery.revoked(tps)

    def pause(self, tp: TopicPartition) -> None:
        """Stop fetching a partition until the next rebalance (a fenced producer)."""
        self._consumer.pause(tp)

    @Service.task
    async def _run(self) -> None:
        while not self.should_stop:
            try:
                batch = await self._consumer.getmany(timeout_ms=POLL_TIMEOUT_MS,
                                                     max_records=self._max_records)
                async with self._lock:
                    if batch:
                        batch = await self._current(batch)
                    if batch:
                        await self._delivery.deliver(self._route(batch))
                    await self._delivery.tick()
                    await self._keys.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep running; what failed is fetched again
                log.error("data plane batch failed: %s", type(exc).__name__)
                await self._recover()

    async def _recover(self) -> None:
        await asyncio.sleep(1.0)
        async with self._lock:
            try:
                await self._delivery.recover()
            except Exception as exc:
                log.error("data plane recovery failed: %s", type(exc).__name__)

    async def _current(self, batch: dict[TopicPartition, list[Any]]
                       ) -> dict[TopicPartition, list[Any]]:
        """The partitions of a fetched batch whose records are still the consumer's next.

        A rebalance or a recovery may run between the fetch and this lock and put the
        partition back at its committed offset (or hand it to another worker): then the
        consumer's position no longer follows these records, and they come again from
        there. Routing them now would duplicate them under a transaction, and dropping
        records whose position did follow them would lose them.
        """
        current = {}
        for tp, records in batch.items():
            if (records and tp in self.assignment
                    and await self._consumer.position(tp) == records[-1].offset + 1):
                current[tp] = records
        return current

    def _route(self, batch: dict[TopicPartition, list[Any]]) -> list[Routed]:
        routed = []
        outputs = self._router.outputs
        for tp, records in batch.items():
            if tp not in self.assignment or not records:
                continue  # revoked since the fetch: the new owner reads them again
            keys = self._keys[tp.partition]
            tally = BatchTally(tp.topic, tp.partition)
            out: list[Output] = []
            for record in records:
                source = SourceRef(tp.topic, tp.partition, record.offset)
                for r in self._router.records(record.value, source, keys, tally,
                                              record.timestamp):
                    out.append((outputs[r.route], r.key, r.value, r.headers))
            contributions = self._router.take_contributions()  # one record per batch
            if contributions is not None:
                out.append((outputs[contributions.route], contributions.key,
                            contributions.value, contributions.headers))
            routed.append(Routed(tp=tp, next_offset=records[-1].offset + 1,
                                 events=len(records), key_changes=keys.take_pending(),
                                 outputs=out))
            self.events += len(records)
            self._hooks.on_batch(tally)
        return routed
