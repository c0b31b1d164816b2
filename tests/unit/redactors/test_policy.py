"""The policy file: the shipped default, the checker's reports, the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from redactors.consent import ConsentTier
from redactors.errors import PolicyError
from redactors.policy import default_policy_path, load_policy
from redactors.policy_check import check_policy_text

DEFAULT_TEXT = default_policy_path().read_text(encoding="utf-8")


def test_default_policy_loads_and_encodes_the_seed() -> None:
    policy = load_policy()
    assert policy.honor_dnt is False  # seed: "we do not respond to DNT signals"
    assert policy.honor_gpc is True
    assert policy.minimum_age == 16
    assert policy.retention_days["identifiable"] <= 7
    assert policy.backup_days == 183  # "in backups ... for up to 6 months"
    assert policy.default_tier is ConsentTier.NONE
    for category in policy.categories:
        for tier in (ConsentTier.ERASED, ConsentTier.CHILD):
            assert category.treatment[tier].analytics == "drop"
            assert category.treatment[tier].identifiable == "drop"
        for tier in ConsentTier:
            assert category.treatment[tier].analytics != "keep"


def test_deploy_copy_is_the_packaged_policy() -> None:
    deployed = Path(__file__).parents[3] / "deploy" / "policy" / "default.yaml"
    assert deployed.read_text(encoding="utf-8") == DEFAULT_TEXT


@pytest.mark.parametrize(("old", "new", "path", "message"), [
    ("user.name:", "user.nam:", '$.categories["user.nam"]', "unknown category"),
    ("detectors: [IP_ADDRESS]", "detectors: [IPADDR]",
     '$.categories["user.device.ip_address"].detectors[0]', "unknown detector"),
    ("full:           {analytics: ip_network, identifiable: keep}",
     "full:           {analytics: ipnet, identifiable: keep}",
     '$.categories["user.device.ip_address"].treatment.full.analytics', "unknown transform"),
    ("analytics: hour", "analytics: keep",
     '$.categories["user.behavior.session"].treatment.full.analytics', "raw personal data"),
    ("honor_dnt: false", "honor_dnt: maybe", "$.settings.honor_dnt", "schema"),
    ("  full: [analytics, profiling]", "  full: [analytics, dancing]", "$.tiers.full[1]",
     "unknown purpose"),
    ("ip_country:      {type: ip, country: true, network: false}",
     "ip_country:      {type: ip, country: false, network: false}",
     "$.transforms.ip_country", "invalid transform"),
    ("names: ['(?i)^(lat|", "names: ['(?i)^((lat|",
     '$.categories["user.location.precise"].names[0]', "regular expression"),
])
def test_check_reports_path_line_and_reason(old: str, new: str, path: str, message: str) -> None:
    assert old in DEFAULT_TEXT
    _, problems = check_policy_text(DEFAULT_TEXT.replace(old, new, 1), "p.yaml")
    assert problems, "the broken policy passed"
    problem = problems[0]
    assert problem.file == "p.yaml"
    assert problem.path == path
    assert message in problem.message
    assert problem.line is not None
    assert problem.line > 0


def test_missing_consent_tier_is_reported() -> None:
    text = DEFAULT_TEXT.replace(
        "      child:          {analytics: drop, identifiable: drop}\n", "", 1)
    _, problems = check_policy_text(text, "p.yaml")
    assert any("'child' is a required property" in p.message for p in problems)


def test_erased_must_drop() -> None:
    text = DEFAULT_TEXT.replace("      erased:         {analytics: drop, identifiable: drop}",
                                "      erased:         {analytics: drop, identifiable: keep}", 1)
    _, problems = check_policy_text(text, "p.yaml")
    assert [p.message for p in problems] == ["erased subjects must reach no route: use drop"]


@pytest.mark.parametrize(("text", "line"), [("a: [\n", 2), ("a: 1\na: 2\n", 2)])
def test_yaml_errors_carry_line_numbers(text: str, line: int) -> None:
    _, problems = check_policy_text(text, "p.yaml")
    assert problems[0].line == line


def test_load_policy_raises_with_every_problem(tmp_path: Path) -> None:
    broken = tmp_path / "p.yaml"
    broken.write_text(DEFAULT_TEXT.replace("[IP_ADDRESS]", "[NOPE]").replace(
        "user.name:", "user.nam:"), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(broken)
    assert len(info.value.problems) == 2
    assert str(broken) in str(info.value)


def test_unreadable_policy_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yaml")
