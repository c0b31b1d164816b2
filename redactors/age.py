"""Who counts as a child: the policy's minimum age against a known birth year."""

from __future__ import annotations

from datetime import date

__all__ = ["is_under_age"]


def is_under_age(birth_year: int | None, minimum_age: int, today: date) -> bool:
    """True when the subject is under `minimum_age` whatever their birthday in that year.

    With only a birth year, a subject who turns `minimum_age` this year is given the
    benefit of the doubt: erasure cannot be undone, so only the certain cases trigger it.
    """
    return birth_year is not None and today.year - birth_year < minimum_age
