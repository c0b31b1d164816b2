"""How a routed batch reaches the broker and its offsets get committed, in each mode.

At-least-once (`AtLeastOnce`): one idempotent producer; a batch's outputs (key changes
first) go out as producer batches, and its offsets are committed, on a short interval,
only once every output of it and of the batches before it was acknowledged.

Exactly-once (`ExactlyOnce`): one transactional producer per owned raw partition, with
transactional id `{group}-{partition}`, since aiokafka has no KIP-447 (a consumer
generation cannot fence zombies, a transactional id per input partition can). A
transaction per partition spans consecutive batches and closes on a size or time
bound: its outputs and key changes, then `send_offsets_to_transaction`, then commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import ProducerFenced

from streams.dataplane.faults import FaultInjector, RecoveryIncomplete
from streams.dataplane.keys import KeyStore
from streams.dataplane.outputs import OutputBuffer
from streams.security import PLAINTEXT, ClientSecurity

__all__ = ["AtLeastOnce", "Delivery", "ExactlyOnce", "Output", "ProducerOptions", "Routed"]

log = logging.getLogger(__name__)

STOP_TIMEOUT = 30.0  # seconds a replaced producer may take to give up its sends

# (topic, key, value, headers) per output, in order; the partition is the input's, except
# for a keyed output (identifiable records, keyed by subject): its key's partition.
Output = tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]


@dataclass(frozen=True, slots=True)
class Routed:
    """One raw partition's share of a fetched batch, routed."""

    tp: TopicPartition
    next_offset: int  # the offset to commit once these outputs are durable
    events: int
    key_changes: list[tuple[bytes, bytes | None]]  # to the keys changelog, sent first
    outputs: list[Output]


@dataclass(frozen=True, kw_only=True)
class ProducerOptions:
    bootstrap: str
    linger_ms: int = 5
    compression: str | None = "lz4"
    max_batch_size: int = 1024 * 1024
    security: ClientSecurity = PLAINTEXT

    def producer(self, **kwargs: Any) -> AIOKafkaProducer:
        return AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all",
                                linger_ms=self.linger_ms, compression_type=self.compression,
                                max_batch_size=self.max_batch_size,
                                max_request_size=2 * self.max_batch_size,
                                **self.security.aiokafka_kwargs(), **kwargs)


class Delivery(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    async def assigned(self, tps: Iterable[TopicPartition]) -> None: ...
    async def revoked(self, tps: Iterable[TopicPartition]) -> None: ...
    async def deliver(self, routed: list[Routed]) -> None: ...
    async def tick(self) -> None: ...
    async def recover(self) -> None: ...


def _append(buffer: OutputBuffer, changelog: str, part: Routed) -> None:
    p = part.tp.partition
    for record_key, key_value in part.key_changes:  # keys first: no output outlives its key
        buffer.append(changelog, p, record_key, key_value)
    for topic, key, value, headers in part.outputs:
        buffer.append(topic, p if key is None else None, key, value, headers)


def _retrieve(futures: Iterable[asyncio.Future[Any]]) -> None:
    """Mark the failures of sends whose outcome is handled elsewhere as seen, now or when
    they end: no asyncio 'exception was never retrieved' lines after an outage."""
    for future in futures:
        if future.done():
            if not future.cancelled():
                future.exception()
        else:
            future.add_done_callback(_seen)


def _seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


async def _seek_to_committed(consumer: AIOKafkaConsumer,
                             tps: Iterable[TopicPartition]) -> None:
    """Position each partition at the group's committed offset, read now."""
    for tp in tps:
        committed = await consumer.committed(tp)
        if committed is None:
            await consumer.seek_to_beginning(tp)  # auto_offset_reset is earliest
        else:
            consumer.seek(tp, committed)


class AtLeastOnce:
    """Commit what the broker acknowledged, every `interval` seconds."""

    MAX_IN_FLIGHT = 8  # fetched batches whose outputs are not yet acknowledged

    def __init__(self, consumer: AIOKafkaConsumer, options: ProducerOptions, keys: KeyStore,
                 *, interval: float, inject: FaultInjector | None = None) -> None:
        self._consumer = consumer
        self._inject = inject or FaultInjector()
        self._options = options
        self._producer: AIOKafkaProducer | None = None
        self._keys = keys
        self._interval = interval
        self._in_flight: deque[tuple[list[asyncio.Future[Any]], dict[TopicPartition, int]]]
        self._in_flight = deque()
        self._done: dict[TopicPartition, int] = {}
        self._last_commit = time.monotonic()
        self._recovering = False

    async def start(self) -> None:
        self._producer = self._options.producer(enable_idempotence=True)
        await self._producer.start()

    async def stop(self) -> None:
        try:
            await self._drain()
            await self._commit()
        finally:
            if self._producer is not None:
                await self._producer.stop()

    async def assigned(self, tps: Iterable[TopicPartition]) -> None:
        await self._keys.load(tp.partition for tp in tps)

    async def revoked(self, tps: Iterable[TopicPartition]) -> None:
        await self._drain()
        await self._commit()
        self._keys.release(tp.partition for tp in tps)

    async def deliver(self, routed: list[Routed]) -> None:
        assert self._producer is not None, "start() first"
        if self._recovering:
            raise RecoveryIncomplete("the last recovery did not finish; trying again")
        buffer = OutputBuffer(self._producer)
        for part in routed:
            _append(buffer, self._keys.changelog, part)
        futures = await buffer.flush()
        self._inject()  # a test's fault: sent, but its offsets never reach a commit
        self._in_flight.append((futures, {r.tp: r.next_offset for r in routed}))
        while len(self._in_flight) > self.MAX_IN_FLIGHT:
            await self._settle_oldest()

    async def tick(self) -> None:
        while self._in_flight and all(f.done() for f in self._in_flight[0][0]):
            await self._settle_oldest()
        if time.monotonic() - self._last_commit >= self._interval:
            await self._commit()

    async def recover(self) -> None:
        """After a failed send: forget what is in flight, reread the keys, go back to the
        committed offsets (what was sent since may come twice: at least once) and replace
        the producer. Until all of that succeeded nothing is sent or committed: a recovery
        cut short by an outage must not let later offsets be committed over the forgotten
        batches. The producer is replaced because after an error such as
        OutOfOrderSequenceNumber aiokafka's idempotent producer fails every later send
        (aiokafka #1017; seen here after a 70 s broker outage); a new one gets a new
        producer id."""
        self._recovering = True
        for futures, _ in self._in_flight:  # forgotten: their outcome no longer matters
            _retrieve(futures)
        self._in_flight.clear()
        self._done = {}
        assigned = list(self._consumer.assignment())
        self._keys.release(tp.partition for tp in assigned)
        await self._keys.load(tp.partition for tp in assigned)
        await _seek_to_committed(self._consumer, assigned)
        fresh = self._options.producer(enable_idempotence=True)
        await fresh.start()
        stale, self._producer = self._producer, fresh
        if stale is not None:
            try:
                await asyncio.wait_for(stale.stop(), STOP_TIMEOUT)
            except Exception as exc:  # its unsent outputs are forgotten: they come again
                log.warning("stale producer stop failed: %s", type(exc).__name__)
        self._recovering = False

    async def _settle_oldest(self) -> None:
        futures, offsets = self._in_flight.popleft()
        await asyncio.gather(*futures)  # a failed send raises: nothing is committed
        self._done.update(offsets)

    async def _drain(self) -> None:
        while self._in_flight:
            await self._settle_oldest()

    async def _commit(self) -> None:
        self._last_commit = time.monotonic()
        if self._recovering:
            return
        assigned = self._consumer.assignment()
        offsets = {tp: o for tp, o in self._done.items() if tp in assigned}
        self._done = {}
        if offsets:
            await self._consumer.commit(offsets)


@dataclass(slots=True)
class _Txn:
    producer: AIOKafkaProducer
    open: bool = False  # taking outputs
    began: bool = False  # begun and neither committed nor aborted yet: abort it on failure
    opened_at: float = 0.0
    events: int = 0
    next_offset: int | None = None
    committed: int | None = None  # the input offset this producer's last commit carried
    # The open transaction's sends. aiokafka's commit_transaction waits for them but does
    # not look at how they ended (flush_for_commit: asyncio.wait), so a batch that failed
    # for good (OutOfOrderSequenceNumber after a broker outage) would be left out of a
    # transaction that commits its input offsets anyway: events lost. _close checks them.
    sends: list[asyncio.Future[Any]] = field(default_factory=list)

    def forget_sends(self) -> None:
        """Drop the sends of a finished transaction (an aborted one's failures are
        handled by the abort)."""
        _retrieve(self.sends)
        self.sends = []


class ExactlyOnce:
    """One transaction per raw partition at a time, closed on `max_events` or `interval`."""

    def __init__(self, consumer: AIOKafkaConsumer, options: ProducerOptions, keys: KeyStore,
                 *, group: str, interval: float, max_events: int,
                 on_fenced: Callable[[TopicPartition], None],
                 inject: FaultInjector | None = None) -> None:
        self._consumer = consumer
        self._inject = inject or FaultInjector()
        self._options = options
        self._keys = keys
        self._group = group
        self._interval = interval
        self._max_events = max_events
        self._on_fenced = on_fenced
        self._txns: dict[TopicPartition, _Txn] = {}

    def transactional_id(self, tp: TopicPartition) -> str:
        return f"{self._group}-{tp.partition}"

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        tps = list(self._txns)
        await self.revoked(tps)

    async def assigned(self, tps: Iterable[TopicPartition]) -> None:
        """Fence the partitions' previous owners (InitProducerId completes or aborts
        their open transactions), then read keys and committed offsets: both are
        settled only after the fence."""
        tps = list(tps)
        for tp in tps:
            if tp not in self._txns:
                producer = self._options.producer(
                    transactional_id=self.transactional_id(tp), enable_idempotence=True)
                await producer.start()
                self._txns[tp] = _Txn(producer)
        await self._keys.load(tp.partition for tp in tps)
        await _seek_to_committed(self._consumer, tps)

    async def revoked(self, tps: Iterable[TopicPartition]) -> None:
        tps = [tp for tp in tps if tp in self._txns]
        await asyncio.gather(*(self._close(tp) for tp in tps), return_exceptions=True)
        for tp in tps:
            txn = self._txns.pop(tp)
            try:
                await txn.producer.stop()
            except Exception as exc:  # already fenced or disconnected: nothing to keep
                log.warning("producer stop failed: %s", type(exc).__name__)
        self._keys.release(tp.partition for tp in tps)

    async def deliver(self, routed: list[Routed]) -> None:
        for part in routed:
            txn = self._txns.get(part.tp)
            if txn is None:  # revoked while the batch was routed: its records come again
                continue
            try:
                if not txn.open:
                    txn.began = True  # a failed begin too: its abort shows if the producer is stuck
                    await txn.producer.begin_transaction()
                    txn.open, txn.opened_at, txn.events = True, time.monotonic(), 0
                buffer = OutputBuffer(txn.producer)
                _append(buffer, self._keys.changelog, part)
                txn.sends.extend(await buffer.flush())
            except ProducerFenced:
                self._fenced(part.tp)
                continue
            except Exception as exc:  # the transaction cannot commit: start it over
                log.warning("send failed, transaction aborted: %s", type(exc).__name__)
                await self._abort(part.tp)
                continue
            txn.events += part.events
            txn.next_offset = part.next_offset
        due = [tp for tp, txn in self._txns.items()
               if txn.open and txn.events >= self._max_events]
        await self._close_all(due)

    async def tick(self) -> None:
        now = time.monotonic()
        due = [tp for tp, txn in self._txns.items()
               if txn.open and now - txn.opened_at >= self._interval]
        await self._close_all(due)

    async def _close_all(self, tps: list[TopicPartition]) -> None:
        if tps:
            await asyncio.gather(*(self._close(tp) for tp in tps))

    async def _close(self, tp: TopicPartition) -> None:
        """Commit the partition's open transaction with its input offset."""
        txn = self._txns[tp]
        if not txn.open:
            return
        txn.open = False
        try:
            self._inject()  # a test's fault: outputs sent, the transaction not committed
            try:
                await asyncio.gather(*txn.sends)  # a send that failed: abort, never commit
            except Exception as exc:
                # After a send failed for good (OutOfOrderSequenceNumber after an outage)
                # aiokafka's producer fails every later send of its epoch: the abort alone
                # would loop (seen in CI: 264 aborts in two minutes), so it is replaced.
                log.warning("send failed, transaction aborted, producer replaced: %s",
                            type(exc).__name__)
                await self._abort(tp, replace=True)
                return
            txn.forget_sends()
            if txn.next_offset is not None:
                await txn.producer.send_offsets_to_transaction({tp: txn.next_offset},
                                                               self._group)
            await txn.producer.commit_transaction()
            txn.began = False
            if txn.next_offset is not None:
                txn.committed = txn.next_offset
        except ProducerFenced:
            self._fenced(tp)
        except Exception as exc:
            log.warning("commit failed, transaction aborted: %s", type(exc).__name__)
            await self._abort(tp)

    async def recover(self) -> None:
        for tp in list(self._txns):
            await self._abort(tp)

    async def _abort(self, tp: TopicPartition, *, replace: bool = False) -> None:
        """Abort the open transaction, reread the partition's keys (those created in it
        are gone) and return to its committed offset; `replace`: with a new producer."""
        txn = self._txns[tp]
        txn.open, txn.next_offset = False, None
        txn.forget_sends()
        try:
            if txn.began:
                await txn.producer.abort_transaction()
                txn.began = False
        except ProducerFenced:
            self._fenced(tp)
            return
        except Exception as exc:  # the producer is unusable: replace it
            log.warning("abort failed, producer replaced: %s", type(exc).__name__)
            replace = True
        if replace:
            await self._replace(tp)
        self._keys.release([tp.partition])
        await self._keys.load([tp.partition])
        await self._seek_to_committed(tp, txn.committed)

    async def _seek_to_committed(self, tp: TopicPartition, ours: int | None) -> None:
        """The group's committed offset, but never before the one our own last commit
        carried. commit_transaction returns once the coordinator logged PrepareCommit; the
        offsets become visible to OffsetFetch only when its markers reach the offsets
        topic, which a broker restart can delay. Without KIP-447's require_stable
        (aiokafka sends OffsetFetch without it) a read then returns the offset before
        that commit, and the records it covered would be committed twice (seen in the
        broker restart test: 2,577 duplicates under exactly-once)."""
        committed = await self._consumer.committed(tp)
        if ours is not None and (committed is None or committed < ours):
            committed = ours
        if committed is None:
            await self._consumer.seek_to_beginning(tp)  # auto_offset_reset is earliest
        else:
            self._consumer.seek(tp, committed)

    async def _replace(self, tp: TopicPartition) -> None:
        """A new producer with the partition's transactional id. After a timeout mid-send
        aiokafka's transaction manager can stay in a state where begin and abort both
        fail (AssertionError), so waiting for a rebalance looped on that partition at a
        few hundred attempts a second, for good (seen in the soak after a broker restart;
        the Bufstream analysis's advice: re-initialise after an indefinite error). Its
        InitProducerId fences the old epoch and aborts what it left open. If the broker is
        still away this raises, and the data plane's recovery tries again a second later."""
        txn = self._txns[tp]
        try:
            await asyncio.wait_for(txn.producer.stop(), STOP_TIMEOUT)
        except Exception as exc:
            log.warning("stale producer stop failed: %s", type(exc).__name__)
        producer = self._options.producer(transactional_id=self.transactional_id(tp),
                                          enable_idempotence=True)
        await producer.start()
        txn.producer, txn.began = producer, False

    def _fenced(self, tp: TopicPartition) -> None:
        """Another worker owns the partition now: stop feeding it until the rebalance."""
        log.warning("transactional producer fenced; partition paused until rebalance",
                    extra={"partition": tp.partition})
        txn = self._txns.get(tp)
        if txn is not None:
            txn.open = False
        self._on_fenced(tp)
