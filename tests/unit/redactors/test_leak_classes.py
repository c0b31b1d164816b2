"""Leak classes through the whole engine with the real scanner: pairs, URLs, numbers."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import yaml

from redactors.consent import ConsentState
from redactors.engine import Engine
from redactors.keys import InMemoryKeyProvider
from redactors.policy import load_policy, policy_from_document
from redactors.policy_check import check_policy_text
from redactors.pseudonym import PseudonymKeyring
from redactors.result import Outcome
from redactors.scanner import FreeTextScanner

FULL = ConsentState(subject_id="u-1", analytics=True, profiling=True)
ANALYTICS_ONLY = ConsentState(subject_id="u-1", analytics=True)
TIERS = [FULL, ANALYTICS_ONLY, None]


@pytest.fixture(scope="module")
def engine() -> Engine:
    ring = PseudonymKeyring({"k2026a": b"k" * 32}, "k2026a")
    return Engine(load_policy(), keys=InMemoryKeyProvider(), pseudonym_keys=ring,
                  scanner=FreeTextScanner())


def analytics(engine: Engine, event: dict[str, Any], consent: ConsentState | None) -> str:
    result = engine(orjson.dumps(event), consent)
    assert result.outcome is Outcome.ANALYTICS, result.reason
    return orjson.dumps(result.analytics).decode()


# -- name/value pairs: the value takes the category of the name ---------------------------

HAR = {"log": {"entries": [{"request": {
    "headers": [{"name": "Authorization", "value": "Basic YWxpY2U6czNjcjN0"},
                {"name": "X-Forwarded-For", "value": "81.2.69.160"},
                {"name": "Accept", "value": "text/html"}],
    "cookies": [{"name": "sid", "value": "Zq81mP0xLk2Yt7Rw", "path": "/", "httpOnly": True}],
    "queryString": [{"name": "password", "value": "hunter2-x"},
                    {"name": "page", "value": "2"}],
}}]}}


@pytest.mark.parametrize("consent", TIERS)
def test_har_pairs_take_the_category_of_their_name(engine: Engine,
                                                   consent: ConsentState | None) -> None:
    out = analytics(engine, HAR, consent)
    for secret in ("YWxpY2U6czNjcjN0", "81.2.69.160", "Zq81mP0xLk2Yt7Rw", "hunter2-x"):
        assert secret not in out
    assert '{"name":"Accept","value":"text/html"}' in out  # unclassified pairs stay
    assert '{"name":"page","value":"2"}' in out


@pytest.mark.parametrize(
    ("pair", "secret"),
    [
        ({"key": "pw", "value": "s3cr3t!"}, "s3cr3t!"),
        ({"Key": "email", "Value": "jo@example.org"}, "jo@example.org"),  # AWS tag shape
        ({"field": "phone", "val": 4155552671}, "4155552671"),
        ({"name": "passphrase", "value": {"nested": "x-y-z-w"}}, "x-y-z-w"),
        ({"name": "api_key", "values": ["k-1-a", "k-2-b"]}, "k-1-a"),
    ],
)
def test_pair_shapes(engine: Engine, pair: dict[str, Any], secret: str) -> None:
    out = analytics(engine, {"attributes": [pair]}, FULL)
    assert secret not in out


def test_a_pair_with_an_unclassified_name_is_walked_as_usual(engine: Engine) -> None:
    out = analytics(engine, {"tag": {"name": "note", "value": "mail jo@example.org"}}, FULL)
    assert "jo@example.org" not in out
    assert '"name":"note"' in out


# -- URL query-parameter names are scanned like values -------------------------------------

@pytest.mark.parametrize("consent", TIERS)
@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://s/cb?203.0.113.77&x=1", "203.0.113.77"),
        ("https://s/cb?4111111111111111&x=1", "4111111111111111"),
        ("/cb?AKIAIOSFODNN7EXAMPLE=1&tab", "AKIAIOSFODNN7EXAMPLE"),
        ("/cb?x=1&jo%40example.org", "jo"),
        ("/cb?2001:db8::1&x", "2001:db8::1"),
    ],
)
def test_query_parameter_names_are_scanned(engine: Engine, consent: ConsentState | None,
                                           url: str, secret: str) -> None:
    out = analytics(engine, {"url": url, "message": f"callback {url} done"}, consent)
    assert secret not in out


def test_plain_parameter_names_stay(engine: Engine) -> None:
    out = analytics(engine, {"url": "/search?q=alice&page=2&sort"}, FULL)
    assert '"url":"/search?q&page&sort"' in out


# -- numbers: floats read as the integers they spell, long numbers scanned with context ------

@pytest.mark.parametrize(
    ("event", "secret"),
    [
        ({"amount": 4111111111111111.0}, "4111111111111111"),  # a card through a float
        ({"ref": 5555555555554444}, "5555555555554444"),
        ({"callback": 4155552671}, "4155552671"),  # a phone number only in context
        ({"customer_contact": 14155552671}, "14155552671"),
        ({"home_tel": 4155552671.0}, "4155552671"),
        ({"message": "card 4111111111111111.0 declined"}, "4111111111111111"),
        ({"message": "pan=4.111111111111111E15"}, "4.111111111111111E15"),
    ],
)
def test_numbers_are_scanned_by_value_and_context(engine: Engine, event: dict[str, Any],
                                                  secret: str) -> None:
    out = analytics(engine, event, FULL)
    assert secret not in out
    assert secret not in out.replace(".0", "")


@pytest.mark.parametrize(
    "event",
    [
        {"bytes": 4155552671},  # a count under a name that is no phone word
        {"duration_ns": 1732960000000},
        {"price": 41111111.5},  # not integral: no card spells that
        {"ratio": 3.141592653589793},
        {"big": 1e300},
        {"total": 4111111111111112.0},  # fails Luhn
    ],
)
def test_numbers_that_are_not_personal_pass(engine: Engine, event: dict[str, Any]) -> None:
    out = orjson.loads(analytics(engine, event, FULL))
    assert out[next(iter(event))] == next(iter(event.values()))


# -- opt-in: id-like values in unclassified fields ------------------------------------------

def _id_like_engine(setting: str | None) -> Engine:
    with open(load_policy().source, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    document["unclassified"]["id_like_as"] = setting
    policy = policy_from_document(document, "test")
    ring = PseudonymKeyring({"k2026a": b"k" * 32}, "k2026a")
    return Engine(policy, keys=InMemoryKeyProvider(), pseudonym_keys=ring,
                  scanner=FreeTextScanner())


ID_LIKE = ["cus_J4k2Lm9XqP", "usr-1001", "550e8400-e29b-41d4-a716-446655440000",
           "9f86d081884c7d659a2feaa0c55ad015", "01ARZ3NDEKTSV4RRFFQ69G5FAV"]
NOT_ID_LIKE = ["hello-world", "checkout", "v2", "us-east", "2026-11-30", "GET /cart"]


@pytest.mark.parametrize("value", ID_LIKE)
def test_id_like_values_are_pseudonymized_when_opted_in(value: str) -> None:
    engine = _id_like_engine("user.unique_id")
    for event in ({"order_owner_ref": value}, {"refs": [value, "plain"]}):
        out = analytics(engine, event, FULL)
        assert value not in out
        assert "p1:k2026a:" in out
    assert value not in analytics(engine, {"ref": value}, None)  # no consent: dropped


@pytest.mark.parametrize("value", NOT_ID_LIKE)
def test_other_values_are_left_to_the_scanner(value: str) -> None:
    engine = _id_like_engine("user.unique_id")
    assert orjson.loads(analytics(engine, {"ref": value}, FULL))["ref"] == value


def test_id_like_is_off_by_default() -> None:
    engine = _id_like_engine(None)
    out = orjson.loads(analytics(engine, {"ref": "cus_J4k2Lm9XqP"}, FULL))
    assert out["ref"] == "cus_J4k2Lm9XqP"


def test_id_like_must_name_a_category() -> None:
    with open(load_policy().source, encoding="utf-8") as handle:
        text = handle.read().replace("  id_like_as: null\n", "  id_like_as: user.nope\n")
    _, problems = check_policy_text(text, "p.yaml")
    assert any("id_like_as" in str(p) and "user.nope" in str(p) for p in problems)


@pytest.mark.parametrize("key", ["alice\uff20example.com", "jos\u00e9@b\u00fccher.de",
                                 "alice\u200b@example.com"])
def test_keys_are_folded_and_scanned(engine: Engine, key: str) -> None:
    out = analytics(engine, {"counts": {key: 3}}, FULL)
    assert "example" not in out
    assert "cher" not in out
