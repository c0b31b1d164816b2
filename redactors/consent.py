"""A data subject's consent state, as the engine sees it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ConsentState", "ConsentTier"]


class ConsentTier(StrEnum):
    """The consent columns of the policy matrix (see DESIGN.md)."""

    FULL = "full"
    ANALYTICS_ONLY = "analytics_only"  # analytics yes, profiling objected
    NONE = "none"  # no consent / cookies refused
    ERASED = "erased"
    CHILD = "child"  # known to be under 16


@dataclass(frozen=True, kw_only=True, slots=True)
class ConsentState:
    """One subject's consent flags, as carried by a consent event on privacy.consent."""

    subject_id: str
    analytics: bool = False
    profiling: bool = False
    marketing: bool = False
    birth_year: int | None = None
    gpc: bool = False
    updated_at: str | None = None
    erased: bool = False
