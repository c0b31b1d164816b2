"""Field names as tokens, and the default policy's token rules on names it does not list."""

from __future__ import annotations

import pytest

from redactors.classify import FieldClassifier
from redactors.name_tokens import TokenRule, name_tokens
from redactors.policy import load_policy
from redactors.policy_check import check_policy_text


@pytest.fixture(scope="module")
def classifier() -> FieldClassifier:
    return FieldClassifier(load_policy().categories)


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("userPW", ("user", "pw")),
        ("user_pw", ("user", "pw")),
        ("X-User-Pw", ("x", "user", "pw")),
        ("userID", ("user", "id")),
        ("HTTPRequest", ("http", "request")),
        ("date_of_birth", ("date", "of", "birth")),
        ("birthYear", ("birth", "year")),
        ("ipv4", ("ipv", "4")),
        ("", ()),
        ("___", ()),
    ],
)
def test_name_tokens(name: str, tokens: tuple[str, ...]) -> None:
    assert name_tokens(name) == tokens


@pytest.mark.parametrize(
    ("rule", "tokens", "matches"),
    [
        ("pw", ("user", "pw"), True),
        ("pw", ("pwned",), False),
        ("birth date", ("user", "birth", "date"), True),
        ("birth date", ("birth", "x", "date"), False),
        ("^age$", ("age",), True),
        ("^age$", ("max", "age"), False),
        ("user id$", ("client", "user", "id"), True),
        ("user id$", ("user", "id", "verified"), False),
        ("^sub$", ("sub",), True),
        ("^sub$", ("sub", "total"), False),
    ],
)
def test_token_rule(rule: str, tokens: tuple[str, ...], matches: bool) -> None:
    assert TokenRule(rule).matches(tokens) is matches


@pytest.mark.parametrize("rule", ["", "Pass", "pass-word", "^$", "a.b"])
def test_bad_token_rules_are_rejected(rule: str) -> None:
    with pytest.raises(ValueError, match="name-token rule"):
        TokenRule(rule)


def test_policy_check_names_a_bad_token_rule() -> None:
    with open(load_policy().source, encoding="utf-8") as handle:
        document = handle.read().replace("name_tokens: [pass,", "name_tokens: [Pass-Word,", 1)
    _, problems = check_policy_text(document, "p.yaml")
    assert [str(p) for p in problems if "invalid name-token rule" in str(p)]


@pytest.mark.parametrize(
    ("path", "category"),
    [
        # credentials under short, indirect or cased names
        ("pass", "user.authorization.credentials"),
        ("pw", "user.authorization.credentials"),
        ("userPW", "user.authorization.credentials"),
        ("passphrase", "user.authorization.credentials"),
        ("db.passcode", "user.authorization.credentials"),
        ("wifiPin", "user.authorization.credentials"),
        ("authClaims", "user.authorization.credentials"),
        # contact, identity and birth fields in camelCase and snake_case
        ("mobileNo", "user.contact.phone_number"),
        ("contactNumber", "user.contact.phone_number"),
        ("customerEmailAddress", "user.contact.email"),
        ("givenName", "user.name"),
        ("legal_name", "user.name"),
        ("birthYear", "user.demographic.date_of_birth"),
        ("dateOfBirth", "user.demographic.date_of_birth"),
        ("profile.age", "user.demographic.date_of_birth"),
        ("client.user.id", "user.unique_id"),
        ("actor.userId", "user.unique_id"),
        ("session.previous_id", "user.device.cookie_id"),
        ("session", "user.device.cookie_id"),  # `"session": "s:7f9c2b...sig"`
        ("session_token", "user.device.cookie_id"),
        ("session_start", "user.behavior.session"),
        ("client.address", "user.device.ip_address"),
        # negatives: look alike, are not personal
        ("passed", None),
        ("bypass_cache", None),
        ("user.group.id", None),
        ("max_age", None),
        ("message_age_ms", None),
        ("service.name", None),
        ("ip_count", None),
        ("client_ipv4", "user.device.ip_address"),
        ("level", None),
    ],
)
def test_default_policy_token_rules(classifier: FieldClassifier, path: str,
                                    category: str | None) -> None:
    assert classifier.classify(tuple(path.split("."))) == category
