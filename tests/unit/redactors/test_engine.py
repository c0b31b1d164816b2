"""The core call: parse, subject, route; consent tiers, drops, dead letters, sealing."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from redactors.consent import ConsentState
from redactors.engine import Engine, load_engine
from redactors.errors import MissingKeyError, PolicyError
from redactors.keys import InMemoryKeyProvider
from redactors.parsing import ParsedEvent
from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.result import Outcome, RoutedResult
from redactors.sealing import UnsealError, decrypt_identifiable
from tests.unit.redactors.engine_fakes import PatternScanner

EVENT = {
    "ts": "2026-11-25T10:17:01Z",
    "service": "hive3d",
    "event": "login",
    "user_id": "u-1001",
    "session_id": "s-9f8e7d6c5b4a39281706",
    "ip": "81.2.69.160",
    "geo": {"city": "Lyon", "region": "ARA", "country": "FR", "lat": 45.764, "lon": 4.8357},
    "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Safari/537.36",
    "email": "ada.lovelace@example.com",
    "name": "Ada Lovelace",
    "url": "/login?next=%2Fdashboard&utm_source=mail",
    "password": "hunter2",
    "message": "user logged in from 81.2.69.160 as ada.lovelace@example.com",
}
FULL = ConsentState(subject_id="u-1001", analytics=True, profiling=True, marketing=True)
ANALYTICS_ONLY = ConsentState(subject_id="u-1001", analytics=True)
NO_CONSENT = ConsentState(subject_id="u-1001")


@pytest.fixture(scope="module")
def keys() -> InMemoryKeyProvider:
    return InMemoryKeyProvider()


@pytest.fixture(scope="module")
def engine(keys: InMemoryKeyProvider) -> Engine:
    ring = PseudonymKeyring({"k2026a": b"k" * 32}, "k2026a")
    return Engine(load_policy(), keys=keys, pseudonym_keys=ring, scanner=PatternScanner())


def route(
    engine: Engine, event: dict[str, Any] | bytes, consent: ConsentState | None = None
) -> RoutedResult:
    raw = event if isinstance(event, bytes) else orjson.dumps(event)
    return engine(raw, consent)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"{not json", "invalid_json"),
        (b'{"a": "\xff"}', "invalid_utf8"),
        (b"\xff\xfe plain", "invalid_utf8"),
        (b"[1, 2]", "not_object"),
        (b"42", "not_object"),
        (b'"just a string"', "not_object"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "too_deep"),
        (b'{"x": ' + b"[" * 40 + b"]" * 40 + b"}", "too_deep"),
        (b"[" * 2000 + b"]" * 2000, "too_deep"),  # past the decoder's own depth limit
        (b'{"a": 1, "a": 2}', "duplicate_key"),
        (b'{"a": {"b": 1, "b": 1}}', "duplicate_key"),
        (b'{"geo": {"city": "x", "city": "y"}}', "duplicate_key"),
        (b'{"ip":"::1","ip":"::2"}', "duplicate_key"),
        (b'{"a" : 1,\n "a"\t: 2}', "duplicate_key"),
        (b'{ "b" : { "c" \r\n: ":" , "c" : " :" } }', "duplicate_key"),
        (b'{":":":",":":":"}', "duplicate_key"),
        (b'{"a":":","b":{"c":":","c":":"}}', "duplicate_key"),
        (b'{"a": "' + b"x" * (1 << 20) + b'"}', "too_large"),
        (b"line with \x00 nul", "binary"),
        (b'{"ip": 12345}', "wrong_type:user.device.ip_address"),
        (b'{"ts": true}', "wrong_type:user.behavior.session"),
        (b'{"user_agent": 7}', "wrong_type:user.device"),
        (b'{"birth_year": "soon"}', "bad_birth_year"),
    ],
)
def test_bad_input_is_dead_lettered_with_a_reason(engine: Engine, raw: bytes, reason: str) -> None:
    result = engine(raw, None)
    assert result.outcome is Outcome.DEADLETTER
    assert result.reason == reason
    assert result.analytics is None
    assert result.identifiable is None


@pytest.mark.parametrize("raw", [b'{"a": "x\\":y"}', b'{"a" : 1, "b" :2}', b'{"a":"\\"b\\":"}',
                                 b'{"ip":"::ffff:1.2.3.4","v":"::"}'])
def test_key_lookalikes_in_strings_are_not_duplicates(engine: Engine, raw: bytes) -> None:
    assert engine(raw, None).outcome is Outcome.ANALYTICS


def test_plain_text_line_is_a_message_event(engine: Engine) -> None:
    parsed = engine.parse(b"Failed password for admin from 81.2.69.160 port 22")
    assert isinstance(parsed, ParsedEvent)
    assert parsed.text
    result = engine.route(parsed, None)
    assert result.analytics is not None
    assert result.analytics["message"] == "Failed password for admin from <IP_ADDRESS> port 22"


def test_subject_of(engine: Engine) -> None:
    for event, subject in [
        ({"user_id": "u-1"}, "u-1"),
        ({"user": {"id": 7}}, "7"),
        ({"uid": " "}, None),
        ({"msg": "x"}, None),
        ({"user_id": True}, None),
    ]:
        parsed = engine.parse(orjson.dumps(event))
        assert isinstance(parsed, ParsedEvent)
        assert engine.subject_of(parsed) == subject


def test_full_consent(engine: Engine, keys: InMemoryKeyProvider) -> None:
    result = route(engine, EVENT, FULL)
    assert result.outcome is Outcome.ANALYTICS
    assert result.subject_id == "u-1001"
    out = result.analytics
    assert out is not None
    assert out["ts"] == "2026-11-25T10:00:00Z"
    assert out["user_id"].startswith("p1:k2026a:")
    assert out["session_id"].startswith("p1:k2026a:")
    assert out["ip"] == {"country": "GB", "network": "81.2.69.0/24"}
    assert out["geo"] == {"city": "Lyon", "region": "ARA", "country": "FR", "lat": 45.8, "lon": 4.8}
    assert out["user_agent"] == {
        "browser": "Chrome",
        "browser_major": "120",
        "os": "Windows",
        "device": "desktop",
    }
    assert out["url"] == "/login?next&utm_source"
    assert "email" not in out
    assert "name" not in out
    assert "password" not in out
    assert out["message"] == "user logged in from <IP_ADDRESS> as <EMAIL_ADDRESS>"
    privacy = out["_privacy"]
    assert privacy["tier"] == "full"
    assert privacy["marketing_opt_out"] is False
    assert "user.contact.email" in privacy["categories"]
    assert "pseudonym" in privacy["transforms"]
    assert result.identifiable is not None
    payload = decrypt_identifiable(result.identifiable, keys.get("u-1001") or b"")
    assert payload["fields"]["email"] == "ada.lovelace@example.com"
    assert payload["fields"]["ip"] == "81.2.69.160"
    assert "password" not in payload["fields"]
    assert "ada.lovelace" not in orjson.dumps(result.identifiable).decode().lower()


def test_wrong_type_in_a_pseudonymized_field_fails_closed(engine: Engine) -> None:
    result = route(engine, {"user_id": 1.5}, FULL)
    assert (result.outcome, result.reason) == (Outcome.DEADLETTER, "wrong_type:user.unique_id")


def test_analytics_only_rotates_daily_and_coarsens(engine: Engine) -> None:
    out = route(engine, EVENT, ANALYTICS_ONLY).analytics
    assert out is not None
    assert out["user_id"].startswith("pd1:k2026a:")
    assert out["ts"] == "2026-11-25"
    assert out["geo"] == {"region": "ARA", "country": "FR"}
    assert "browser_major" not in out["user_agent"]
    next_day = route(engine, {**EVENT, "ts": "2026-11-26T10:17:01Z"}, ANALYTICS_ONLY).analytics
    assert next_day is not None
    assert next_day["user_id"] != out["user_id"]
    assert out["_privacy"]["marketing_opt_out"] is True


@pytest.mark.parametrize("consent", [NO_CONSENT, None])
def test_no_consent_keeps_only_aggregates(engine: Engine, consent: ConsentState | None) -> None:
    result = route(engine, EVENT, consent)
    out = result.analytics
    assert out is not None
    assert "user_id" not in out
    assert "session_id" not in out
    assert out["ip"] == {"country": "GB"}
    assert out["geo"] == {"country": "FR"}
    assert out["url"] == "/login"
    assert out["_privacy"]["tier"] == "none"
    assert out["_privacy"]["third_party_sharing"] is False
    assert result.identifiable is not None  # email and name stay, encrypted, for the service


def test_erased_and_children_are_dropped(engine: Engine) -> None:
    erased = ConsentState(subject_id="u-1001", analytics=True, profiling=True, erased=True)
    result = route(engine, EVENT, erased)
    assert (result.outcome, result.reason, result.analytics, result.identifiable) == (
        Outcome.DROPPED,
        "erased",
        None,
        None,
    )
    child = ConsentState(subject_id="u-1001", analytics=True, profiling=True, birth_year=2012)
    assert route(engine, EVENT, child).reason == "child"
    assert route(engine, {**EVENT, "birth_year": 2013}, FULL).reason == "child"
    future = {**EVENT, "ts": "2999-01-01T00:00:00Z"}
    assert route(engine, future, child).reason == "child"
    adult = ConsentState(subject_id="u-1001", analytics=True, birth_year=1990)
    assert route(engine, EVENT, adult).outcome is Outcome.ANALYTICS


def test_gpc_is_honored_and_dnt_is_not(engine: Engine) -> None:
    out = route(engine, {**EVENT, "headers": {"Sec-GPC": "1", "DNT": "1"}}, FULL).analytics
    assert out is not None
    assert out["_privacy"]["gpc"] is True
    assert out["_privacy"]["marketing_opt_out"] is True
    assert out["_privacy"]["third_party_sharing"] is False
    assert out["_privacy"]["tier"] == "full"  # DNT is not honored by the seed policy


@pytest.mark.parametrize(
    ("event", "gpc"),
    [
        ({"headers": {"Sec-GPC": "1"}}, True),
        ({"headers": {"Accept": "*/*"}}, False),  # the same keys as the line above
        ({"headers.sec-gpc": "1"}, True),  # a literal dotted key
        ({"headers.sec-gpc": "0"}, False),
        ({"request": {"headers": {"sec-gpc": "1"}}}, True),
        ({"request": {"headers": "sec-gpc"}}, False),
        ({"gpc": True, "big": "x" * 5000}, True),  # a large event skips the shape cache
    ],
)
def test_signals_and_subjects_are_read_per_event(
    engine: Engine, event: dict[str, Any], gpc: bool
) -> None:
    for _ in range(2):  # the second sight of the same keys goes through the cache
        result = route(engine, {"user_id": "u-7", **event}, FULL)
        assert result.analytics is not None
        assert result.analytics["_privacy"]["gpc"] is gpc
        assert result.subject_id == "u-7"
    assert route(engine, {"uid": 7, **event}, FULL).subject_id == "7"


def test_no_subject_no_identifiable_record(engine: Engine) -> None:
    event = {k: v for k, v in EVENT.items() if k != "user_id"}
    result = route(engine, event, None)
    assert result.identifiable is None
    assert result.subject_id is None
    assert result.analytics is not None
    assert "email" not in result.analytics


def test_unknown_fields_are_scanned_and_secrets_dropped(engine: Engine) -> None:
    event = {
        "extra": {
            "note": "call +1 415 555 0134",
            "items": ["a@b.co", 4111111111111111],
            "api_key": "sk_live_abc",
            "headers": {"Authorization": "Bearer x"},
            "count": 3,
        }
    }
    out = route(engine, event, None).analytics
    assert out is not None
    assert out["extra"] == {
        "note": "call <PHONE_NUMBER>",
        "items": ["<EMAIL_ADDRESS>", "<CREDIT_CARD>"],
        "headers": {},
        "count": 3,
    }


def test_objects_under_classified_names_are_walked_unless_dropped(engine: Engine) -> None:
    event = {
        "request": {
            "url": "/u/jane@corp.com?token=abc",
            "remote_addr": "81.2.69.160",
            "headers": {"authorization": "Bearer x", "x-forwarded-for": "8.8.8.8"},
        },
        "ip": {"v4": "81.2.69.160"},
        "password": {"old": "hunter2", "new": "hunter3"},
        "email": {"address": "jane@corp.com"},
        "trace": "at /home/jsmith/app.py",
    }
    out = route(engine, event, FULL).analytics
    assert out is not None
    assert out["request"] == {
        "url": "/u/<ID>?token",
        "remote_addr": {"country": "GB", "network": "81.2.69.0/24"},
        "headers": {"x-forwarded-for": {"country": "US", "network": "8.8.8.0/24"}},
    }
    assert out["ip"] == {"v4": "<IP_ADDRESS>"}
    assert "password" not in out
    assert "email" not in out
    assert out["trace"] == "at /home/<USER>/app.py"


def test_sealed_record_is_bound_to_subject_and_key(
    engine: Engine, keys: InMemoryKeyProvider
) -> None:
    result = route(engine, EVENT, FULL)
    record = dict(result.identifiable or {})
    with pytest.raises(UnsealError):
        decrypt_identifiable({**record, "subject_id": "u-2"}, keys.get("u-1001") or b"")
    with pytest.raises(UnsealError):
        decrypt_identifiable(record, b"z" * 32)
    with pytest.raises(UnsealError):
        decrypt_identifiable({"v": 1}, b"z" * 32)


def test_any_exception_fails_closed(keys: InMemoryKeyProvider) -> None:
    class Exploding(PatternScanner):
        def redact(self, text: str) -> tuple[str, frozenset[str]]:
            raise RuntimeError("boom: alice@example.com")

    ring = PseudonymKeyring.ephemeral_keyring()
    engine = Engine(load_policy(), keys=keys, pseudonym_keys=ring, scanner=Exploding())
    result = route(engine, EVENT, FULL)
    assert (result.outcome, result.reason, result.analytics) == (
        Outcome.DEADLETTER,
        "internal_error",
        None,
    )


def test_identifiable_only_when_the_policy_sends_a_tier_nowhere_else(
    tmp_path: Any, keys: InMemoryKeyProvider
) -> None:
    from redactors.policy import default_policy_path

    text = (
        default_policy_path()
        .read_text(encoding="utf-8")
        .replace(
            "    tiers: [full, analytics_only, none]   # aggregation",
            "    tiers: [full, analytics_only]   # aggregation",
            1,
        )
    )
    policy_file = tmp_path / "p.yaml"
    policy_file.write_text(text, encoding="utf-8")
    engine = Engine(
        load_policy(policy_file),
        keys=keys,
        pseudonym_keys=PseudonymKeyring.ephemeral_keyring(),
        scanner=PatternScanner(),
    )
    result = route(engine, EVENT, NO_CONSENT)
    assert result.outcome is Outcome.IDENTIFIABLE_ONLY
    assert result.analytics is None
    assert route(engine, {"service": "x"}, NO_CONSENT).reason == "no_route"


def test_unclassified_strings_drop_removes_them(keys: InMemoryKeyProvider) -> None:
    from dataclasses import replace

    engine = Engine(
        replace(load_policy(), unclassified_strings="drop"),
        keys=keys,
        pseudonym_keys=PseudonymKeyring.ephemeral_keyring(),
        scanner=PatternScanner(),
    )
    for _ in range(2):  # the second sight goes through the walk's caches
        result = route(engine, {"message": "hello", "n": 1, "tags": ["a", 2]}, NO_CONSENT)
        assert result.analytics is not None
        assert {k: v for k, v in result.analytics.items() if k != "_privacy"} == {
            "n": 1,
            "tags": [2],
        }
        orjson.dumps(result.analytics)


@pytest.mark.parametrize(
    ("ts", "day"),
    [
        ("2026-01-06T00:31:43Z", "2026-01-06"),
        ("2026-12-31T23:59:59Z", "2026-12-31"),
        ("2026-01-06T00:31:43.5Z", "2026-01-06"),
        ("2026-01-06T23:31:43-02:00", "2026-01-07"),
        ("2026-13-01T00:00:00Z", None),  # not a date: the clock's day
        ("2026-02-30T10:00:00Z", None),
        ("2026-01-06T24:00:00Z", None),
        ("2026-01-06T10:60:00Z", None),
        ("2026-01-06T10:00:60Z", None),
        ("\u0662026-01-06T10:00:00Z", None),
        ("2026-01-06 10:00:00Z", "2026-01-06"),
    ],
)
def test_the_daily_pseudonym_follows_the_event_day(ts: str, day: str | None) -> None:
    from datetime import UTC, datetime

    clock = datetime(2027, 3, 4, 5, 6, 7, tzinfo=UTC)
    engine = Engine(
        load_policy(),
        keys=InMemoryKeyProvider(),
        pseudonym_keys=PseudonymKeyring({"k": b"k" * 32}, "k"),
        scanner=PatternScanner(),
        clock=lambda: clock,
    )
    expected_day = day or clock.date().isoformat()
    raw = b'{"ts": "' + ts.encode() + b'", "user_id": "u-1"}'
    reference = orjson.dumps({"ts": f"{expected_day}T12:00:00+00:00", "user_id": "u-1"})
    # A time that does not parse gives way to the next time path.
    later = b'{"ts": "soon", "timestamp": "' + ts.encode() + b'", "user_id": "u-1"}'
    for _ in range(2):  # the second sight uses what the first one cached
        want = engine(reference, ANALYTICS_ONLY).analytics
        assert want is not None
        for event in (raw, later):
            got = engine(event, ANALYTICS_ONLY).analytics
            assert got is not None
            assert got["user_id"] == want["user_id"]


def test_load_engine_keys(keys: InMemoryKeyProvider) -> None:
    with pytest.raises(MissingKeyError, match="no pseudonym keys"):
        load_engine(None, keys, {}, scanner=PatternScanner())
    with pytest.raises(MissingKeyError):
        load_engine(
            None,
            keys,
            {"LOGWARDEN_PSEUDONYM_KEYS": "bad"},
            scanner=PatternScanner(),
            allow_ephemeral=True,
        )
    ephemeral = load_engine(None, keys, {}, scanner=PatternScanner(), allow_ephemeral=True)
    assert ephemeral.pseudonym_keys.ephemeral
    line = PseudonymKeyring.generate_line("k1")
    real = load_engine(None, keys, {"LOGWARDEN_PSEUDONYM_KEYS": line}, scanner=PatternScanner())
    assert real.pseudonym_keys.current_id == "k1"
    with pytest.raises(PolicyError):
        load_engine("/nonexistent/policy.yaml", keys, {"LOGWARDEN_PSEUDONYM_KEYS": line})


def test_outputs_match_their_published_schemas(engine: Engine) -> None:
    import json
    from importlib import resources

    from jsonschema import Draft202012Validator

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator(json.loads(
            resources.files("schemas").joinpath(name).read_text("utf-8")))

    analytics = validator("analytics-event.schema.json")
    identifiable = validator("identifiable-record.schema.json")
    for consent in (FULL, ANALYTICS_ONLY, NO_CONSENT, None):
        result = route(engine, EVENT, consent)
        analytics.validate(result.analytics)
        if result.identifiable is not None:
            identifiable.validate(result.identifiable)
