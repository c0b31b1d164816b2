"""Who counts as a child: the policy's minimum age against a known birth year."""

from __future__ import annotations

import re
from datetime import date

from redactors.name_tokens import name_tokens

__all__ = ["birth_year_of", "is_under_age"]


def is_under_age(birth_year: int | None, minimum_age: int, today: date) -> bool:
    """True when the subject may still be under `minimum_age` (only the year is known).

    The same rule as the engine's drop (redactors/engine.py): someone who turns
    `minimum_age` this year may not have had their birthday yet, so they count as a child.
    """
    return birth_year is not None and today.year - birth_year <= minimum_age


_DATE_YEAR_FIRST = re.compile(r"((?:1[89]|2[0-9])[0-9]{2})-[0-9]{1,2}-[0-9]{1,2}(?:[T ].*)?")
_DATE_YEAR_LAST = re.compile(r"[0-9]{1,2}[./-][0-9]{1,2}[./-]((?:1[89]|2[0-9])[0-9]{2})")
_MAX_AGE = 150


def birth_year_of(value: object, path: str, this_year: int) -> int:
    """The birth year a field states: a year, a date (`2012-05-01`, `01/05/2012`) or, under
    a name ending in `age`, an age in years (the latest year consistent with it).

    Raises ValueError for anything else: the engine dead-letters what it cannot read.
    """
    if isinstance(value, bool):
        raise ValueError("not a birth year")
    is_age = name_tokens(path.rsplit(".", 1)[-1])[-1:] == ("age",)
    if is_age:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, float) and value == value and 0 <= value <= _MAX_AGE:
            value = int(value)
        if isinstance(value, int) and 0 <= value <= _MAX_AGE:
            # Aged `value` today: born `value` or `value + 1` years ago. The earlier year
            # keeps a 16-year-old (today.year - year = 17) and drops a 15-year-old (16).
            return this_year - value - 1
        raise ValueError("not an age")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and len(text) == 4:
            return int(text)
        found = _DATE_YEAR_FIRST.fullmatch(text) or _DATE_YEAR_LAST.fullmatch(text)
        if found is not None:
            return int(found[1])
    raise ValueError("not a birth year")
