"""The consent view: every worker's copy of privacy.consent, read whole."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.types import EventT

from redactors.age import is_under_age
from redactors.consent import ConsentState
from schemas.consent import ConsentEventError, decode_consent
from streams.hooks import PipelineHooks
from streams.security import PLAINTEXT, ClientSecurity
from streams.state.consent import StoredConsent

__all__ = ["ConsentView"]

log = logging.getLogger(__name__)


class ConsentView:
    """Latest valid consent per subject, read from the whole of privacy.consent.

    Every worker needs every subject's consent while raw events arrive on any partition,
    so each worker tails all partitions of privacy.consent with its own group-less
    consumer (the GlobalKTable pattern), started with the app. Ingest waits in
    `wait_ready` until the topic has been read up to the end offsets seen at start-up;
    after that a change applies to every event processed once it was read. Invalid
    records are counted and ignored (the previous valid state stays); a tombstone
    removes the subject.

    Not a Faust GlobalTable: on faust-streaming 0.15.3 a GlobalTable whose changelog
    already held a record at start-up left the worker "ready" but never fed its agent
    (reproduced by tests/integration/test_slice.py; compare faust #212, #283, #541).

    With `stored` (streams.state), the view lives on disk behind a bounded cache and
    keeps a checkpoint: a restart reads privacy.consent only from the stored offsets.
    """

    CAUGHT_UP_EVERY = 30.0  # seconds between checkpoint marks while the view is current

    def __init__(self, app: faust.App, topic: faust.TopicT, partitions: int,
                 hooks: PipelineHooks, *, minimum_age: int, follow: bool = True,
                 security: ClientSecurity = PLAINTEXT,
                 stored: StoredConsent | None = None) -> None:
        """follow=False: no consumer; the caller feeds `apply` (agent tests)."""
        self._states: dict[str, ConsentState] = {}
        self._stored = stored
        # The data plane calls this per event: the dict's or the cache's own method.
        self.get: Callable[[str], ConsentState | None] = (
            self._states.get if stored is None else stored.get)
        self._hooks = hooks
        self._topic = str(topic.get_topic_name())
        self._partitions = partitions
        self._ready = asyncio.Event()
        self.on_state: Callable[[ConsentState], None] | None = None  # rights: child check
        self.rejected = 0
        self.minimum_age = minimum_age  # the policy's
        self._bootstrap = ",".join(f"{url.host}:{url.port or 9092}" for url in app.conf.broker)
        self._app = app
        self._security = security
        gates = getattr(app, "startup_gates", None)
        if follow and gates is not None:
            gates.append(self.start)  # loaded before the app's consumer starts
        elif follow:
            app.task(self._follow)
        else:
            self._ready.set()

    async def _on_record(self, event: EventT[Any]) -> None:
        self.apply(event.message.key, event.message.value)

    def apply(self, key: bytes | None, value: bytes | None, partition: int = 0,
              offset: int = 0) -> None:
        """Fold one privacy.consent record into the view."""
        if value is None:
            if key is not None:
                self._forget(key.decode("utf-8", "replace"), partition, offset)
            return
        try:
            state = decode_consent(key, value)
        except ConsentEventError as exc:
            self.rejected += 1
            self._hooks.on_consent_rejected(exc.reason)
            return
        if self._stored is None:
            self._states[state.subject_id] = state
        else:
            self._stored.put(partition, offset, state)
        if self.on_state is not None:
            self.on_state(state)

    def _forget(self, subject_id: str, partition: int, offset: int) -> None:
        """A tombstone: back to the policy default, except that a known child stays one.

        Erasing a child tombstones its consent and adds a suppression entry; the two
        travel on different topics, so another worker may read the tombstone first. The
        birth year alone is kept (in memory, until restart) so that the child's events
        stay dropped in between.
        """
        previous = self.get(subject_id)
        keep = None
        if previous is not None and is_under_age(previous.birth_year, self.minimum_age,
                                                 date.today()):
            keep = ConsentState(subject_id=subject_id, birth_year=previous.birth_year)
        if self._stored is not None:
            self._stored.delete(partition, offset, subject_id, keep)
        elif keep is None:
            self._states.pop(subject_id, None)
        else:
            self._states[subject_id] = keep

    async def start(self) -> None:
        """Start following the topic and return once the start-up contents are read.

        Run before Faust's consumer starts: an agent that waited for consent while its
        stream was being fetched, sought back and re-fetched lost records (kill -9 test).
        """
        log.info("loading consent")
        self._app.add_future(self._follow())
        await self.wait_ready()
        log.info("consent loaded", extra={"subjects": len(self)})

    async def wait_ready(self) -> None:
        """Return once the view holds everything on the topic when the worker started."""
        await self._ready.wait()

    async def _follow(self) -> None:
        while True:
            try:
                await self._tail()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # reconnect; the type names no value
                log.warning("consent feed failed, restarting: %s", type(exc).__name__)
                await asyncio.sleep(1.0)

    async def _tail(self) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    isolation_level="read_committed",
                                    **self._security.aiokafka_kwargs())
        await consumer.start()
        try:
            # The topic spec fixes its partition count (topics check reports drift).
            tps = [TopicPartition(self._topic, p) for p in range(self._partitions)]
            consumer.assign(tps)
            ends_at = time.time()
            ends = await consumer.end_offsets(tps)
            await self._seek_start(consumer, tps, ends)
            marked = time.monotonic()
            while True:
                if not self._ready.is_set():
                    positions = [await consumer.position(tp) for tp in tps]
                    if all(pos >= ends[tp] for pos, tp in zip(positions, tps, strict=True)):
                        if self._stored is not None:  # current as of the ends read at start
                            self._stored.flush({}, caught_up_at=ends_at)
                        self._ready.set()
                batch = await consumer.getmany(timeout_ms=100, max_records=5000)
                reached = {}
                for tp, records in batch.items():
                    for record in records:
                        self.apply(record.key, record.value, tp.partition, record.offset)
                    if records:
                        reached[tp.partition] = records[-1].offset + 1
                if self._stored is not None:
                    caught_up_at = None
                    if (self._ready.is_set() and time.monotonic() - marked > self.CAUGHT_UP_EVERY
                            and await _caught_up(consumer, tps)):
                        caught_up_at, marked = time.time(), time.monotonic()
                    self._stored.flush(reached, caught_up_at)
        finally:
            await consumer.stop()

    async def _seek_start(self, consumer: AIOKafkaConsumer, tps: list[TopicPartition],
                          ends: dict[TopicPartition, int]) -> None:
        """From the store's checkpoint when it holds one that fits, else the beginning."""
        if self._stored is not None:
            begins = await consumer.beginning_offsets(tps)
            resume = self._stored.resume({tp.partition: begins[tp] for tp in tps},
                                         {tp.partition: ends[tp] for tp in tps})
            if resume.offsets:
                for tp in tps:
                    consumer.seek(tp, resume.offsets[tp.partition])
                return
        await consumer.seek_to_beginning(*tps)

    def __len__(self) -> int:
        """Subjects with a consent state (stored ones: as of the last write)."""
        return len(self._states) if self._stored is None else len(self._stored)


async def _caught_up(consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> bool:
    """Whether every partition was read to the high watermark of its last fetch."""
    for tp in tps:
        highwater = consumer.highwater(tp)
        if highwater is None or await consumer.position(tp) < highwater:
            return False
    return True
