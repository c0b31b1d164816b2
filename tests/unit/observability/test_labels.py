"""Label values come from fixed sets; anything else becomes 'other'."""

from __future__ import annotations

import pytest

from streams.observability.labels import LabelGuard


@pytest.mark.parametrize(("value", "expected"), [
    ("analytics", "analytics"), ("dropped", "dropped"), ("alice@example.com", "other"),
])
def test_route(value, expected):
    assert LabelGuard().route(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("user.contact.email", "user.contact.email"), ("user.device.ip_address",
                                                   "user.device.ip_address"),
    ("203.0.113.7", "other"), ("user.bob", "other"),
])
def test_category(value, expected):
    assert LabelGuard().category(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("invalid_json", "invalid_json"), ("too_deep", "too_deep"),
    ("alice@example.com", "other"), ("203.0.113.7", "other"), ("Alice Smith", "other"),
    ("has space", "other"), ("", "other"), ("x" * 60, "other"),
])
def test_reason_codes_by_shape(value, expected):
    assert LabelGuard().reason(value) == expected


def test_reason_cardinality_is_capped():
    guard = LabelGuard()
    admitted = {guard.reason(f"code_{chr(97 + n // 26)}{chr(97 + n % 26)}") for n in range(100)}
    assert len(admitted - {"other"}) == 64
    assert "other" in admitted
