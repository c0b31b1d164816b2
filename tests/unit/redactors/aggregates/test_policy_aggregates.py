"""The policy's `aggregates` section: the shipped metrics, validation, the budget, explain."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from redactors.aggregates import DAY_SECONDS, plan_from_document
from redactors.policy import default_policy_path, load_policy
from redactors.policy_check import check_policy_text
from streams.commands.policy import policy as policy_command

DEFAULT_TEXT = default_policy_path().read_text(encoding="utf-8")


def test_default_policy_ships_the_three_daily_metrics_within_budget() -> None:
    plan = load_policy().aggregates
    by_name = {m.name: m for m in plan.metrics}
    assert set(by_name) == {"page_users_daily", "login_users_by_country_daily",
                            "browser_family_users_daily"}
    assert by_name["page_users_daily"].public_keys is None  # keys unknown in advance
    assert by_name["login_users_by_country_daily"].events == {"login"}
    assert "FR" in (by_name["login_users_by_country_daily"].public_keys or ())
    assert all(m.window_seconds == DAY_SECONDS for m in plan.metrics)
    assert plan.epsilon_per_user_day <= plan.budget.epsilon_per_user_day == 1.0
    assert plan.tiers == {"full", "analytics_only"}


def _problems(old: str, new: str) -> list[str]:
    assert old in DEFAULT_TEXT
    _, problems = check_policy_text(DEFAULT_TEXT.replace(old, new, 1), "p.yaml")
    return [f"{p.path}: {p.message}" for p in problems]


@pytest.mark.parametrize(("old", "new", "expected"), [
    # the budget: more epsilon than a user-day allows is refused at load (start-up)
    ("      epsilon: 0.5\n", "      epsilon: 0.8\n",
     "$.aggregates.metrics: metrics spend epsilon 1.3 per user-day, over the budget of 1"),
    # an hourly window spends its epsilon 24 times a day
    ("      window_seconds: 86400\n      grace_seconds: 3600\n      max_keys_per_user: 3",
     "      window_seconds: 3600\n      grace_seconds: 3600\n      max_keys_per_user: 3",
     "over the budget of 1"),
    ("    delta_per_metric_day: 1.0e-8", "    delta_per_metric_day: 1.0e-9",
     '$.aggregates.metrics.page_users_daily.delta: delta 1e-08 per day over the budget'),
    ("      keys: countries", "      keys: planets", "unknown key list 'planets'"),
    ("      other_key: Other", "      other_key: Netscape", "'Netscape' is not in the key list"),
    ("      other_key: Other", "      other_key: Other\n      mechanism: gaussian",
     "gaussian applies to private keys only"),
    ("      delta: 1.0e-8\n", "", "private keys need a delta for their threshold"),
    ("  tiers: [full, analytics_only]", "  tiers: [full, none]", "schema:"),
    ("      max_keys_per_user: 1\n", "      max_keys_per_user: 0\n", "schema:"),
    ("      epsilon: 0.25\n", "      epsilon: -1\n", "schema:"),
])
def test_bad_aggregates_are_refused_with_their_path(old: str, new: str, expected: str) -> None:
    problems = _problems(old, new)
    assert any(expected in p for p in problems), problems


def test_a_policy_without_aggregates_has_no_metrics() -> None:
    document = yaml.safe_load(DEFAULT_TEXT)
    del document["aggregates"]
    _, problems = check_policy_text(yaml.safe_dump(document), "p.yaml")
    assert problems == []
    assert plan_from_document(document).metrics == ()


def test_policy_explain_shows_each_metric_and_the_budget() -> None:
    result = CliRunner().invoke(policy_command, ["explain"])
    assert result.exit_code == 0, result.output
    assert "page_users_daily" in result.output
    assert "private, threshold 114; laplace_threshold scale 6" in result.output
    assert "249 public keys" in result.output
    assert "budget: epsilon 1 of 1 per user-day" in result.output
