"""Carry out one rights request and say what was done in its receipt."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from redactors.age import is_under_age
from redactors.consent import ConsentState
from redactors.correction import correct_consent
from redactors.errors import LogwardenError
from redactors.suppression import SubjectHasher, SuppressionEntry, SuppressionReason
from schemas.rights import Receipt, ReceiptStatus, RequestTrigger, RequestType, RightsRequest

__all__ = ["RightsEffects", "RightsHandler", "rfc3339"]

log = logging.getLogger(__name__)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RightsEffects(Protocol):
    """What a request may touch: the stream's tables and topics (streams/rights/wiring.py)."""

    def consent_of(self, subject_id: str) -> ConsentState | None:
        """The subject's current consent, or None when none is held."""

    def is_suppressed(self, subject_id: str) -> bool:
        """Whether the subject was erased (or found to be a child) before."""

    async def suppress(self, subject_id: str, entry: SuppressionEntry) -> bool:
        """Add to the suppression list and make it durable; False if already there."""

    async def shred_keys(self, subject_id: str) -> int:
        """Delete every data key of the subject (tombstones); how many were held."""

    async def tombstone_consent(self, subject_id: str) -> None:
        """Write a tombstone for the subject on privacy.consent."""

    async def publish_consent(self, state: ConsentState) -> None:
        """Write the subject's new consent event to privacy.consent."""

    async def export(self, request: RightsRequest) -> dict[str, Any]:
        """Write the subject's export; the receipt's `export` details."""


class RightsHandler:
    """erase: suppress, shred keys, tombstone consent. access: export. correct: new consent
    (and erasure when the correction shows a child). Every call yields one receipt."""

    def __init__(self, hasher: SubjectHasher, effects: RightsEffects, *, minimum_age: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._hash = hasher
        self._effects = effects
        self.minimum_age = minimum_age
        self._clock = clock

    async def __call__(self, request: RightsRequest) -> Receipt:
        received = rfc3339(self._clock())
        status, reason, details = ReceiptStatus.COMPLETED, None, {}
        try:
            if request.type is RequestType.ERASE:
                why = (SuppressionReason.CHILD if request.trigger is RequestTrigger.CHILD
                       else SuppressionReason.ERASED)
                details = await self._erase(request.subject_id, why, request.request_id)
            elif request.type is RequestType.ACCESS:
                details = {"export": await self._effects.export(request)}
            else:
                status, reason, details = await self._correct(request)
        except LogwardenError as exc:
            status, reason = ReceiptStatus.FAILED, f"{request.type}:{type(exc).__name__}"
        except Exception as exc:  # a receipt must still be written; the agent must live on
            log.error("rights request %s failed: %s", request.request_id, type(exc).__name__)
            status, reason = ReceiptStatus.FAILED, f"{request.type}:internal_error"
        return Receipt(
            request_id=request.request_id, type=request.type,
            subject=self._hash(request.subject_id), status=status, trigger=request.trigger,
            received_at=received, completed_at=rfc3339(self._clock()), details=details,
            reason=reason)

    async def _erase(self, subject_id: str, why: SuppressionReason,
                     request_id: str) -> dict[str, Any]:
        entry = SuppressionEntry(reason=why, since=rfc3339(self._clock()),
                                 request_id=request_id)
        added = await self._effects.suppress(subject_id, entry)
        shredded = await self._effects.shred_keys(subject_id)
        await self._effects.tombstone_consent(subject_id)
        return {"suppressed": True, "key_deleted": shredded > 0, "consent_tombstoned": True,
                **({} if added else {"already_suppressed": True})}

    async def _correct(self, request: RightsRequest
                       ) -> tuple[ReceiptStatus, str | None, dict[str, Any]]:
        subject_id = request.subject_id
        if self._effects.is_suppressed(subject_id):
            # Consent for an erased subject would store their id again: refuse.
            return ReceiptStatus.REJECTED, "correct:subject_erased", {}
        current = self._effects.consent_of(subject_id) or ConsentState(subject_id=subject_id)
        state, changed = correct_consent(current, request.changes or {},
                                         updated_at=rfc3339(self._clock()))
        details: dict[str, Any] = {"changed": [change.to_dict() for change in changed]}
        if is_under_age(state.birth_year, self.minimum_age, self._clock().date()):
            details.update(await self._erase(subject_id, SuppressionReason.CHILD,
                                             request.request_id))
        elif changed:
            await self._effects.publish_consent(state)
        return ReceiptStatus.COMPLETED, None, details
