"""Route topics take their retention from the policy, not from numbers of their own."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from redactors.policy import load_policy
from streams.cli import cli
from streams.topics import DAY_MS, Retention, TopicNames, topic_specs

NAMES = TopicNames(prefix="t.")


def _retention_days(retention: Retention | None = None) -> dict[str, int]:
    specs = {s.name: s for s in topic_specs(NAMES, 2, retention)}
    return {name: int(specs[getattr(NAMES, name)].config["retention.ms"]) // DAY_MS
            for name in ("analytics", "identifiable", "deadletter")}


def test_default_specs_carry_the_shipped_policys_retention() -> None:
    policy = load_policy()
    assert _retention_days() == dict(policy.retention_days)
    assert _retention_days()["analytics"] == 395
    assert Retention() == Retention.from_policy(policy.retention_days)


def test_a_policy_with_other_figures_changes_the_specs() -> None:
    days = _retention_days(Retention.from_policy({"analytics": 30, "identifiable": 2}))
    assert days == {"analytics": 30, "identifiable": 2, "deadletter": 7}


def test_topics_command_reads_the_policy_and_fails_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(cli, ["topics", "create", "--policy", str(missing),
                                      "--broker", "kafka://127.0.0.1:1"])
    assert result.exit_code == 1
    assert "nope.yaml" in result.output
    assert "Traceback" not in result.output
