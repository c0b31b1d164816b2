"""What a rights request does to one pipeline's state and topics (RightsEffects)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redactors import codec
from redactors.consent import ConsentState
from redactors.suppression import SuppressionEntry, SuppressionList
from schemas.consent import encode_consent
from schemas.rights import RightsRequest
from streams.rights.access import collect_export, write_export
from streams.rights.handler import rfc3339
from streams.rights.reader import partition_for
from streams.rights.writer import RightsWriter
from streams.topics import KEYS_TABLE, SUPPRESSION_TABLE

if TYPE_CHECKING:  # streams.app builds the pipeline, then registers rights on it
    from streams.app import Pipeline

__all__ = ["RESHRED_AFTER_SECONDS", "PipelineEffects"]

log = logging.getLogger(__name__)

RESHRED_AFTER_SECONDS = 30.0  # well past the time another worker takes to see an erasure


class PipelineEffects:
    """RightsEffects over the state and topics of one pipeline."""

    def __init__(self, pipeline: Pipeline, suppression: SuppressionList, export_dir: Path,
                 writer: RightsWriter) -> None:
        self._p = pipeline
        self._suppression = suppression
        self._export_dir = export_dir
        self._writer = writer
        self._partitions: int = pipeline.settings.partitions
        self._reshred: dict[str, float] = {}  # subject -> monotonic time of the second pass

    def consent_of(self, subject_id: str) -> ConsentState | None:
        state: ConsentState | None = self._p.consent.get(subject_id)
        return state

    def is_suppressed(self, subject_id: str) -> bool:
        return self._suppression.is_suppressed(subject_id)

    async def suppress(self, subject_id: str, entry: SuppressionEntry) -> bool:
        """Into this worker's copy at once, then into the changelog (key and value as Faust
        encodes them: JSON), acknowledged before the receipt promises anything."""
        added = self._suppression.suppress(subject_id, entry)
        key = codec.dumps(self._suppression.subject_hash(subject_id))
        await self._writer.send(self._p.names.changelog(SUPPRESSION_TABLE), key,
                                codec.dumps(entry.to_dict()),
                                partition_for(key, self._partitions))
        return added

    async def shred_keys(self, subject_id: str) -> int:
        """Drop `{p}/{subject}` from every partition and tombstone it in the changelog,
        also for partitions whose key this worker does not hold, so compaction removes it.
        A second pass follows RESHRED_AFTER_SECONDS later (see reshred_due)."""
        self._reshred[subject_id] = time.monotonic() + RESHRED_AFTER_SECONDS
        return await self._tombstone_keys(subject_id)

    async def _tombstone_keys(self, subject_id: str) -> int:
        held = 0
        changelog = self._p.names.changelog(KEYS_TABLE)
        for partition in range(self._partitions):
            key = f"{partition}/{subject_id}".encode()
            await self._writer.send(changelog, key, None, partition)
        held += self._p.keys.forget(subject_id)
        return held

    async def reshred_due(self) -> None:
        """Shred again once other workers have surely applied the suppression entry: an
        event they routed in the meantime may have created a new key for the subject.
        (The raw id is held in memory only until then.)"""
        now = time.monotonic()
        for subject_id in [s for s, due in self._reshred.items() if due <= now]:
            try:
                await self._tombstone_keys(subject_id)
            except Exception as exc:  # retried on the next sweep
                log.error("second key shredding failed: %s", type(exc).__name__)
                continue
            del self._reshred[subject_id]

    async def tombstone_consent(self, subject_id: str) -> None:
        key = subject_id.encode()
        await self._writer.send(self._p.names.consent, key, None,
                                partition_for(key, self._partitions))

    async def publish_consent(self, state: ConsentState) -> None:
        key, value = encode_consent(state)
        await self._writer.send(self._p.names.consent, key, value,
                                partition_for(key, self._partitions))

    async def export(self, request: RightsRequest) -> dict[str, Any]:
        settings = self._p.settings
        document = await collect_export(
            settings.bootstrap_servers, self._p.names, request.subject_id,
            self._suppression.hasher, generated_at=rfc3339(datetime.now(UTC)),
            security=settings.security)
        return write_export(document, self._export_dir / f"{request.request_id}.json")
