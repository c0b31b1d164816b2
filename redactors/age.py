"""Who counts as a child: the policy's minimum age against a known birth year."""

from __future__ import annotations

from datetime import date

__all__ = ["is_under_age"]


def is_under_age(birth_year: int | None, minimum_age: int, today: date) -> bool:
    """True when the subject may still be under `minimum_age` (only the year is known).

    The same rule as the engine's drop (redactors/engine.py): someone who turns
    `minimum_age` this year may not have had their birthday yet, so they count as a child.
    """
    return birth_year is not None and today.year - birth_year <= minimum_age
