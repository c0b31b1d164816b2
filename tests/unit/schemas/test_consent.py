"""The embedded mode's consent-file lines (schemas.consent.consent_from_line)."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.consent import ConsentEventError, consent_from_line


def test_absent_flags_are_false_and_erased_is_read() -> None:
    state = consent_from_line({"subject_id": "u-1", "analytics": True, "erased": True,
                               "birth_year": 1990})
    assert (state.analytics, state.profiling, state.marketing, state.gpc, state.erased) == (
        True, False, False, False, True)
    assert state.birth_year == 1990
    assert state.updated_at is None


@pytest.mark.parametrize(("document", "reason"), [
    ([], "subject_id: missing or not a string"),
    ({"analytics": True}, "subject_id: missing or not a string"),
    ({"subject_id": 7}, "subject_id: missing or not a string"),
    ({"subject_id": "u", "analytics": "yes"}, "analytics: not a boolean"),
    ({"subject_id": "u", "erased": 1}, "erased: not a boolean"),
    ({"subject_id": "u", "birth_year": True}, "birth_year: not an integer"),
    ({"subject_id": "u", "birth_year": "1990"}, "birth_year: not an integer"),
])
def test_bad_lines_name_the_field_not_the_value(document: Any, reason: str) -> None:
    with pytest.raises(ConsentEventError) as caught:
        consent_from_line(document)
    assert caught.value.reason == reason
