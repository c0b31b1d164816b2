"""Corrections change consent fields and report only what really changed."""

from __future__ import annotations

import pytest

from redactors.consent import ConsentState
from redactors.correction import FieldChange, correct_consent

BASE = ConsentState(subject_id="u1", analytics=True, profiling=True, marketing=True,
                    updated_at="2026-01-01T00:00:00Z")
NOW = "2026-11-25T12:00:00Z"


@pytest.mark.parametrize(("changes", "expected"), [
    ({"profiling": False}, [FieldChange(field="profiling", old=True, new=False)]),
    ({"marketing": False, "analytics": True},
     [FieldChange(field="marketing", old=True, new=False)]),
    ({"birth_year": 1990}, [FieldChange(field="birth_year")]),
    ({"profiling": True}, []),
])
def test_changed_fields(changes, expected):
    state, changed = correct_consent(BASE, changes, updated_at=NOW)
    assert changed == expected
    for name, value in changes.items():
        assert getattr(state, name) == value
    assert state.updated_at == (NOW if expected else BASE.updated_at)


def test_birth_year_change_does_not_carry_values():
    _, changed = correct_consent(BASE, {"birth_year": 2015}, updated_at=NOW)
    assert [c.to_dict() for c in changed] == [{"field": "birth_year"}]


def test_unknown_field_is_refused():
    with pytest.raises(ValueError, match="email"):
        correct_consent(BASE, {"email": "x"}, updated_at=NOW)

