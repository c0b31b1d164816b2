"""Children by birth year: whoever may still be under the minimum age counts as one."""

from __future__ import annotations

from datetime import date

import pytest

from redactors.age import is_under_age

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("birth_year", "child"), [
    (None, False),
    (1980, False),
    (2009, False),  # 17 this year
    (2010, True),  # turns 16 this year: may still be 15
    (2015, True),
])
def test_is_under_age(birth_year, child):
    assert is_under_age(birth_year, 16, TODAY) is child
