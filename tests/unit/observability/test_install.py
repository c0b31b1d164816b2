"""Category labels are the loaded policy's own keys, handed down by the pipeline."""

from __future__ import annotations

import base64
import os

import pytest

from redactors.errors import LogwardenError
from streams.app import create_pipeline
from streams.observability.install import category_labels
from streams.observability.labels import DEFAULT_CATEGORIES, OTHER, LabelGuard
from streams.observability.observer import PipelineObserver
from streams.settings import Settings


def _env() -> dict[str, str]:
    key = base64.b64encode(os.urandom(32)).decode()
    return {"LOGWARDEN_PSEUDONYM_KEYS": f"t1:{key}", "LOGWARDEN_SUPPRESSION_KEY": f"s1:{key}"}


def test_category_labels_are_the_policy_keys_and_the_defaults():
    keys = category_labels(["user.contact.phone_number"])
    assert "user.contact.phone_number" in keys
    assert set(DEFAULT_CATEGORIES) <= set(keys)
    guard = LabelGuard(keys)
    assert guard.category("user.contact.phone_number") == "user.contact.phone_number"
    assert guard.category("alice@example.com") == OTHER


def test_the_pipeline_labels_categories_of_the_policy_it_loaded():
    pipeline = create_pipeline(Settings(), env=_env())
    observer = next(h for h in pipeline.hooks._hooks if isinstance(h, PipelineObserver))
    keys = [c.key for c in pipeline.engine.policy.categories]
    assert "user.contact.phone_number" in keys  # in the policy, not in the defaults
    assert [observer.guard.category(k) for k in keys] == keys


def test_an_unreadable_policy_stops_the_pipeline_instead_of_falling_back(tmp_path):
    with pytest.raises(LogwardenError):
        create_pipeline(Settings(policy_path=str(tmp_path / "missing.yaml")), env=_env())
