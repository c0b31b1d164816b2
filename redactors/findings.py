"""The free-text scanner's contract: what it finds and how it is asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Finding", "TextScanner"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected entity in a text: a span, its entity type and a confidence."""

    start: int
    end: int
    entity: str  # e.g. EMAIL_ADDRESS, IP_ADDRESS, PHONE_NUMBER, CREDIT_CARD, PERSON
    score: float


class TextScanner(Protocol):
    """Finds personal data in free text (messages, URLs, error text, headers)."""

    def find(self, text: str) -> list[Finding]:
        """Non-overlapping findings, sorted by start."""

    def redact(self, text: str) -> tuple[str, frozenset[str]]:
        """The text with each finding replaced by `<ENTITY>`, and the entities found."""
