"""What the engine returns for one event: where it goes and in what form."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Outcome", "RoutedResult"]


class Outcome(StrEnum):
    """Exactly one per input event; the accounting identity sums these."""

    ANALYTICS = "analytics"  # an analytics record (an identifiable one may ride along)
    IDENTIFIABLE_ONLY = "identifiable_only"
    DEADLETTER = "deadletter"
    DROPPED = "dropped"  # children, erased subjects: counted, never forwarded


@dataclass(frozen=True, kw_only=True, slots=True)
class RoutedResult:
    """The engine's verdict for one event. No field of it holds raw PII except `identifiable`,
    which is encrypted per subject before it leaves the engine."""

    outcome: Outcome
    analytics: dict[str, Any] | None = None
    identifiable: dict[str, Any] | None = None
    reason: str | None = None  # dead-letter or drop reason: a fixed code, never a value
    subject_id: str | None = None  # for keying the identifiable record; never sent to analytics
    privacy: dict[str, Any] = field(default_factory=dict)
