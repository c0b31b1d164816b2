"""The rights agent on privacy.requests, wired to the pipeline's tables and topics."""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import faust
from faust.types import EventT

from redactors import codec
from redactors.age import is_under_age
from redactors.consent import ConsentState
from redactors.suppression import SubjectHasher, SuppressionList
from schemas.rights import (
    REQUEST_ID,
    Receipt,
    ReceiptStatus,
    RequestTrigger,
    RequestType,
    RightsRequest,
    RightsRequestError,
    parse_request,
)
from streams.rights.compaction import register_roll_marker
from streams.rights.effects import PipelineEffects
from streams.rights.handler import RightsHandler, rfc3339
from streams.rights.reader import partition_for
from streams.rights.writer import RightsWriter
from streams.topics import Retention

if TYPE_CHECKING:  # streams.app builds the pipeline, then registers rights on it
    from streams.app import Pipeline

__all__ = ["Rights", "register_rights"]

log = logging.getLogger(__name__)

CHILD_SWEEP_SECONDS = 5.0


class Rights:
    """Turns records of privacy.requests into receipts on privacy.receipts."""

    def __init__(self, pipeline: Pipeline, hasher: SubjectHasher, handler: RightsHandler,
                 suppression: SuppressionList, writer: RightsWriter) -> None:
        self._p = pipeline
        self._writer = writer
        self._hash = hasher
        self._handler = handler
        self.suppression = suppression
        self._child_requested: set[str] = set()  # asked for by this worker
        self._consent_children: set[str] = set()
        self._consent_changed: set[str] = set()  # subjects with new consent since the sweep
        self._event_children: set[str] = set()

    def _rejected(self, key: bytes | None, value: bytes | None,
                  error: RightsRequestError, where: str) -> Receipt:
        """A receipt for a request that cannot be read: whatever of it is safe to name."""
        document: Any = None
        with contextlib.suppress(codec.DecodeError):
            document = codec.loads(value) if value is not None else None
        fields = document if isinstance(document, dict) else {}
        request_id = fields.get("request_id")
        if not (isinstance(request_id, str) and REQUEST_ID.fullmatch(request_id)):
            request_id = f"unreadable-{where}"
        kind = fields.get("type")
        subject = fields.get("subject_id")
        if not isinstance(subject, str) and key is not None:
            subject = key.decode("utf-8", "replace")
        now = rfc3339(datetime.now(UTC))
        return Receipt(
            request_id=request_id,
            type=RequestType(kind) if kind in set(RequestType) else None,
            subject=self._hash(subject) if isinstance(subject, str) and subject else None,
            status=ReceiptStatus.REJECTED, trigger=RequestTrigger.REQUEST,
            received_at=now, completed_at=now, reason=f"invalid:{error.path}:{error.reason}")

    async def handle(self, event: EventT[Any]) -> Receipt:
        started = time.perf_counter()
        message = event.message
        try:
            request = parse_request(message.value or b"")
        except RightsRequestError as exc:
            receipt = self._rejected(message.key, message.value, exc,
                                     f"{message.partition}-{message.offset}")
        else:
            receipt = await self._handler(request)
        key = receipt.subject.encode() if receipt.subject else None
        partitions: int = self._p.settings.partitions
        await self._writer.send(
            self._p.names.receipts, key, codec.dumps(receipt.to_dict()),
            partition_for(key, partitions) if key else message.partition)
        log.info("rights request %s (%s): %s", receipt.request_id, receipt.type, receipt.status)
        self._p.hooks.on_rights_request(str(receipt.type or "invalid"), str(receipt.status),
                                        time.perf_counter() - started)
        return receipt

    def on_consent(self, state: ConsentState) -> None:
        """Every worker reads every consent event; the leader's sweep acts.

        A record read while the view loads is checked against the suppression list at
        once (loaded first): keeping every subject of a first load for the sweep would
        hold the whole topic in memory and block the loop while the sweep looks them up.
        A live change waits for the sweep, by when its erasure, if any, has been read.
        """
        if self._p.consent.ready or self.suppression.is_suppressed(state.subject_id):
            self._consent_changed.add(state.subject_id)
        if is_under_age(state.birth_year, self._handler.minimum_age, datetime.now(UTC).date()):
            self._consent_children.add(state.subject_id)

    def on_child_event(self, subject_id: str) -> None:
        """The engine dropped an event whose own birth year shows a child."""
        if subject_id not in self._child_requested:
            self._event_children.add(subject_id)

    async def sweep(self, *, leader: bool) -> None:
        """Queue an erase request (trigger child) for each child found since the last sweep.

        Consent-borne children are swept by the leader only (each worker sees them all);
        event-borne ones by the worker whose ingest met them. A failure is logged and the
        subjects are kept for the next sweep: a timer that raises would stop the worker.
        """
        pending = self._event_children
        self._event_children = set()
        if leader:
            pending |= self._consent_children
            self._consent_children = set()
        failed: set[str] = set()
        for subject_id in pending:
            if subject_id in self._child_requested or self.suppression.is_suppressed(subject_id):
                continue
            try:
                await self._request_child_erasure(subject_id)
            except Exception as exc:  # keep the worker alive; retry on the next sweep
                log.error("child erasure request failed: %s", type(exc).__name__)
                failed.add(subject_id)
        self._event_children |= failed
        if leader:
            await self._retombstone_erased_consent()
        else:  # the leader reads every consent record as well
            self._consent_changed.clear()

    async def _retombstone_erased_consent(self) -> None:
        """A service may send consent for a subject erased earlier: the worker keeps
        ignoring the subject's events, and deletes that consent record again."""
        changed, self._consent_changed = self._consent_changed, set()
        for subject_id in changed:
            if self._p.consent.get(subject_id) is None:
                continue
            if self.suppression.is_suppressed(subject_id):
                key = subject_id.encode()
                try:
                    await self._writer.send(self._p.names.consent, key, None,
                                            partition_for(key, self._p.settings.partitions))
                except Exception as exc:  # retried on the next sweep
                    log.error("consent tombstone failed: %s", type(exc).__name__)
                    self._consent_changed.add(subject_id)

    async def _request_child_erasure(self, subject_id: str) -> None:
        request = RightsRequest(
            request_id=f"child-{uuid.uuid4().hex}", type=RequestType.ERASE,
            subject_id=subject_id, requested_at=rfc3339(datetime.now(UTC)),
            trigger=RequestTrigger.CHILD)
        key = subject_id.encode()
        await self._writer.send(self._p.names.requests, key, codec.dumps(request.to_dict()),
                                partition_for(key, self._p.settings.partitions))
        self._child_requested.add(subject_id)


def register_rights(pipeline: Pipeline, env: Mapping[str, str], *,
                    export_dir: Path | None = None) -> Rights:
    """Attach suppression to ingest, the rights agent and the child sweep; raises
    MissingKeyError when no suppression key is configured."""
    hasher = SubjectHasher.from_env(env)
    # Written here at once; PipelineEffects.suppress sends the changelog record.
    suppression = SuppressionList(hasher, pipeline.suppressed.entries)
    directory = export_dir or Path(pipeline.settings.data_dir) / "exports"
    writer = RightsWriter(pipeline.settings.bootstrap_servers, pipeline.settings.security)
    effects = PipelineEffects(pipeline, suppression, directory, writer)
    minimum_age = pipeline.engine.policy.minimum_age
    handler = RightsHandler(hasher, effects, minimum_age=minimum_age)
    rights = Rights(pipeline, hasher, handler, suppression, writer)
    pipeline.consent.on_state = rights.on_consent
    app: faust.App = pipeline.app

    @app.agent(pipeline.topics["requests"], name="rights")
    async def rights_agent(stream: Any) -> None:
        async for event in stream.events():
            await rights.handle(event)

    @app.timer(CHILD_SWEEP_SECONDS, on_leader=True)  # type: ignore[untyped-decorator]
    async def consent_child_sweep() -> None:
        await rights.sweep(leader=True)

    @app.timer(CHILD_SWEEP_SECONDS)  # type: ignore[untyped-decorator]
    async def event_child_sweep() -> None:
        await rights.sweep(leader=False)
        await effects.reshred_due()

    register_roll_marker(pipeline, Retention(), writer)

    async def stop_rights_writer(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        await writer.stop()

    app.on_before_shutdown.connect(stop_rights_writer, weak=False)

    return rights
