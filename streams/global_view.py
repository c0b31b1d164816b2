"""Topics every worker reads whole: privacy.consent and the suppression list.

Every worker needs every subject's entry while raw events arrive on any partition, so
each worker reads all partitions of such a topic with its own group-less consumer (the
GlobalKTable pattern), started with the app. Ingest waits in `wait_ready` until the
topic has been read up to the end offsets seen at start-up; after that a change applies
to every event processed once it was read.

Not Faust GlobalTables: on faust-streaming 0.15.3 a GlobalTable whose changelog already
held a record at start-up left the worker "ready" but never fed its agent (reproduced by
tests/integration/test_slice.py; compare faust #212, #283, #541), and a GlobalTable
holds every entry in memory and replays its whole changelog at every start.

With a store (streams.state.view), the view lives on disk behind a bounded cache and
keeps a checkpoint: a restart reads the topic only from the stored offsets.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Protocol

import faust
from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.security import PLAINTEXT, ClientSecurity
from streams.state.store import Resume

__all__ = ["Checkpointed", "GlobalView"]

log = logging.getLogger(__name__)


class Checkpointed(Protocol):
    """A view's store: where to resume, and the records read with the offsets they reach."""

    def resume(self, begins: Mapping[int, int], ends: Mapping[int, int]) -> Resume: ...

    def flush(self, positions: Mapping[int, int], caught_up_at: float | None = None) -> None: ...


class GlobalView:
    """A topic read whole by every worker; subclasses fold its records in `apply`."""

    CAUGHT_UP_EVERY = 30.0  # seconds between checkpoint marks while the view is current

    def __init__(self, app: faust.App, topic: str, partitions: int, *, what: str,
                 follow: bool = True, security: ClientSecurity = PLAINTEXT,
                 stored: Checkpointed | None = None) -> None:
        """`what` names the data in log lines ("consent"); follow=False: no consumer, the
        caller feeds `apply` (agent tests)."""
        self._topic = topic
        self._partitions = partitions
        self._stored_view = stored
        self._ready = asyncio.Event()
        self._bootstrap = ",".join(f"{url.host}:{url.port or 9092}" for url in app.conf.broker)
        self._app = app
        self._security = security
        # One template per view: the log collapse folds repeats of a template.
        self._loading_line, self._loaded_line = f"loading {what}", f"{what} loaded"
        self._failed_line = f"{what} feed failed, restarting: %s"
        gates = getattr(app, "startup_gates", None)
        if follow and gates is not None:
            gates.append(self.start)  # loaded before the app's consumer starts
        elif follow:
            app.task(self._follow)
        else:
            self._ready.set()

    @property
    def ready(self) -> bool:
        """Whether the view holds what the topic held when the worker started (it then
        reads live changes)."""
        return self._ready.is_set()

    def apply(self, key: bytes | None, value: bytes | None, partition: int = 0,
              offset: int = 0) -> None:
        """Fold one record of the topic into the view."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    async def start(self) -> None:
        """Start following the topic and return once the start-up contents are read.

        Run before Faust's consumer starts: an agent that waited for consent while its
        stream was being fetched, sought back and re-fetched lost records (kill -9 test).
        """
        log.info(self._loading_line)
        self._app.add_future(self._follow())
        await self.wait_ready()
        log.info(self._loaded_line, extra={"subjects": len(self)})

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
                log.warning(self._failed_line, type(exc).__name__)
                await asyncio.sleep(1.0)

    async def _tail(self) -> None:
        stored = self._stored_view
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
                        if stored is not None:  # current as of the ends read at start
                            stored.flush({}, caught_up_at=ends_at)
                        self._ready.set()
                batch = await consumer.getmany(timeout_ms=100, max_records=5000)
                reached = {}
                for tp, records in batch.items():
                    for record in records:
                        self.apply(record.key, record.value, tp.partition, record.offset)
                    if records:
                        reached[tp.partition] = records[-1].offset + 1
                if stored is not None:
                    caught_up_at = None
                    if (self._ready.is_set() and time.monotonic() - marked > self.CAUGHT_UP_EVERY
                            and await _caught_up(consumer, tps)):
                        caught_up_at, marked = time.time(), time.monotonic()
                    stored.flush(reached, caught_up_at)
        finally:
            await consumer.stop()

    async def _seek_start(self, consumer: AIOKafkaConsumer, tps: list[TopicPartition],
                          ends: dict[TopicPartition, int]) -> None:
        """From the store's checkpoint when it holds one that fits, else the beginning."""
        if self._stored_view is not None:
            begins = await consumer.beginning_offsets(tps)
            resume = self._stored_view.resume({tp.partition: begins[tp] for tp in tps},
                                              {tp.partition: ends[tp] for tp in tps})
            if resume.offsets:
                for tp in tps:
                    consumer.seek(tp, resume.offsets[tp.partition])
                return
        await consumer.seek_to_beginning(*tps)


async def _caught_up(consumer: AIOKafkaConsumer, tps: list[TopicPartition]) -> bool:
    """Whether every partition was read to the high watermark of its last fetch."""
    for tp in tps:
        highwater = consumer.highwater(tp)
        if highwater is None or await consumer.position(tp) < highwater:
            return False
    return True
