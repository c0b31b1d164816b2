"""What the engine returns for one event: where it goes and in what form."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

__all__ = ["Outcome", "Privacy", "RoutedResult"]


class Outcome(StrEnum):
    """Exactly one per input event; the accounting identity sums these."""

    ANALYTICS = "analytics"  # an analytics record (an identifiable one may ride along)
    IDENTIFIABLE_ONLY = "identifiable_only"
    DEADLETTER = "deadletter"
    DROPPED = "dropped"  # children, erased subjects: counted, never forwarded


class Privacy(NamedTuple):
    """What the engine decided for an event, without values: the analytics `_privacy`.

    A NamedTuple because one is built per event on the hot path."""

    policy: str  # the policy version
    tier: str | None = None  # None: not routed (dead-letter or dropped), only the policy known
    categories: Sequence[str] = ()
    transforms: Sequence[str] = ()
    marketing_opt_out: bool = True
    gpc: bool = False
    third_party_sharing: bool = False

    def as_record(self) -> dict[str, Any]:
        """The JSON form, as in the analytics record's `_privacy`."""
        return {"policy": self.policy} if self.tier is None else self._asdict()


@dataclass(frozen=True, kw_only=True, slots=True)
class RoutedResult:
    """The engine's verdict for one event. No field of it holds raw PII except `identifiable`,
    which is encrypted per subject before it leaves the engine."""

    outcome: Outcome
    analytics: dict[str, Any] | None = None
    identifiable: dict[str, Any] | None = None
    reason: str | None = None  # dead-letter or drop reason: a fixed code, never a value
    subject_id: str | None = None  # for keying the identifiable record; never sent to analytics
    privacy: Privacy | None = None
