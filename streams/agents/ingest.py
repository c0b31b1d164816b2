"""The ingest agent: raw log records in, routed records out, one engine call each."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

import faust
from faust.types import EventT

from redactors.consent import ConsentState
from redactors.result import Outcome, RoutedResult
from streams.delivery import CommitGate, TransactionalSender
from streams.engine import PipelineEngine
from streams.hooks import PipelineHooks
from streams.records import Route, SourceRef, records_for
from streams.tables import ConsentView, TableKeyProvider

__all__ = ["Ingest", "register_ingest"]

log = logging.getLogger(__name__)


def _deadletter(reason: str) -> RoutedResult:
    return RoutedResult(outcome=Outcome.DEADLETTER, reason=reason)


class Ingest:
    """Routes one raw record. Fails closed: any error sends the original bytes to the
    dead-letter topic, never anything to analytics."""

    def __init__(self, *, engine: PipelineEngine, consent: ConsentView, keys: TableKeyProvider,
                 outputs: Mapping[Route, str], sender: TransactionalSender,
                 hooks: PipelineHooks,
                 is_suppressed: Callable[[str], bool] | None = None) -> None:
        self._engine = engine
        self._consent = consent
        self._keys = keys
        self._outputs = outputs
        self._sender = sender
        self._hooks = hooks
        self.is_suppressed = is_suppressed  # set by the rights module (issue 5)
        self.on_child: Callable[[str], None] | None = None  # rights: erase a found child

    async def consent_ready(self) -> None:
        await self._consent.wait_ready()

    def route(self, raw: bytes | None) -> RoutedResult:
        if raw is None:
            return _deadletter("empty_value")
        try:
            parsed = self._engine.parse(raw)
            if isinstance(parsed, RoutedResult):
                return parsed
            subject = self._engine.subject_of(parsed)
            consent: ConsentState | None = None
            if subject is not None:
                consent = self._consent.get(subject)
                if self.is_suppressed is not None and self.is_suppressed(subject):
                    base = consent or ConsentState(subject_id=subject)
                    consent = dataclasses.replace(base, erased=True)
            result = self._engine.route(parsed, consent)
            if (self.on_child is not None and result.outcome is Outcome.DROPPED
                    and result.reason == "child" and subject is not None):
                self.on_child(subject)
            return result
        except Exception as exc:  # fail closed; the type names no value
            log.warning("engine failed on a record: %s", type(exc).__name__)
            return _deadletter(f"engine_error:{type(exc).__name__}")

    async def handle(self, event: EventT[Any]) -> None:
        message = event.message
        self._hooks.on_event_in(message.topic, message.partition)
        started = perf_counter()
        raw: Any = message.value
        self._keys.partition = message.partition
        result = self.route(raw)
        source = SourceRef(message.topic, message.partition, message.offset)
        try:
            records = records_for(result, raw, source)
        except (ValueError, TypeError) as exc:
            log.warning("engine result not routable: %s", type(exc).__name__)
            result = _deadletter("unroutable_result")
            records = records_for(result, raw if isinstance(raw, bytes) else b"", source)
        await self._keys.flush(self._sender)  # keys first: no output may outlive its key
        for record in records:
            # The input's partition: under exactly-once the output joins its transaction.
            await self._sender.send(self._outputs[record.route], key=record.key,
                                    value=record.value, partition=message.partition,
                                    headers=record.headers)
        categories = result.privacy.get("categories", ()) if result.privacy else ()
        self._hooks.on_routed(str(result.outcome), list(categories), perf_counter() - started,
                              message.timestamp)
        if result.outcome is Outcome.DEADLETTER:
            self._hooks.on_deadletter(result.reason or "unknown")


def register_ingest(app: faust.App, raw: faust.TopicT, ingest: Ingest, *,
                    batch_size: int, gate: CommitGate | None = None) -> Any:
    """Attach the agent: one event at a time, yielding to the loop every `batch_size`;
    with a commit gate (exactly-once) each event is handled and acked under its lock.

    Not stream.take_events: under a backlog larger than stream_buffer_maxsize its buffer
    hand-off stalled the agent (no progress, no error) on faust-streaming 0.15.3.
    """

    @app.agent(raw, name="ingest")
    async def ingest_agent(stream: Any) -> None:
        handled = 0
        await ingest.consent_ready()  # no event is judged before consent is loaded
        async for event in stream.events():
            if gate is None:
                await ingest.handle(event)
            else:
                async with gate.lock:
                    if not gate.redelivered(event.message):  # a second copy: ack only
                        await ingest.handle(event)
                        gate.handled(event.message)
                    await stream.ack(event)  # its offset and outputs commit together
            handled += 1
            if handled % batch_size == 0:
                await asyncio.sleep(0)  # let fetches, heartbeats and commits run

    return ingest_agent
