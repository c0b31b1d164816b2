"""Category labels are the policy's own keys."""

from __future__ import annotations

from pathlib import Path

from streams.observability.install import _policy_categories
from streams.observability.labels import DEFAULT_CATEGORIES
from streams.settings import Settings


def test_category_labels_come_from_the_shipped_policy():
    keys = _policy_categories(Settings())
    assert "user.contact.phone_number" in keys  # in the policy, not in the fallback list
    assert set(DEFAULT_CATEGORIES) <= set(keys)


def test_an_unreadable_policy_falls_back_to_the_design_keys(tmp_path: Path):
    keys = _policy_categories(Settings(policy_path=str(tmp_path / "missing.yaml")))
    assert keys == tuple(sorted(DEFAULT_CATEGORIES))
