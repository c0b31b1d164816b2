"""What one batch of one raw partition did: counts for the metrics, never values."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["BatchTally"]


@dataclass(slots=True)
class BatchTally:
    """Filled by the router while it routes a batch, reported once through the hooks."""

    topic: str
    partition: int
    events: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    deadletters: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)  # engine time per event
    timestamps: list[float] = field(default_factory=list)  # raw broker timestamps, epoch s
