"""Properties: known PII never reaches an analytics record, in any form; nothing crashes."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redactors.consent import ConsentState
from redactors.engine import Engine
from redactors.keys import InMemoryKeyProvider
from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.result import Outcome
from redactors.scanner import FreeTextScanner

WORDS = st.sampled_from(["user", "request", "failed", "ok", "for", "sent", "to", "from",
                         "order", "checkout", "retry", "login", "via", "the", "job"])
FILLER = st.lists(WORDS, min_size=0, max_size=4).map(" ".join)
EMAILS = st.builds(
    "{}{}@{}.{}".format,
    st.from_regex(r"[a-z][a-z0-9]{2,8}", fullmatch=True),
    st.sampled_from(["", ".x", "_dev", "+shop"]),
    st.from_regex(r"[a-z]{3,9}", fullmatch=True),
    st.sampled_from(["com", "org", "net", "io", "de", "co.uk"]),
)
IPV4 = st.builds("{}.{}.{}.{}".format, st.integers(11, 99), st.integers(0, 255),
                 st.integers(0, 255), st.integers(1, 254))


def _luhn(prefix: str) -> str:
    digits = [int(d) for d in prefix]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return prefix + str((10 - total % 10) % 10)


CARDS = st.from_regex(r"4[0-9]{14}", fullmatch=True).map(_luhn)
CONSENTS = st.sampled_from([
    None,
    ConsentState(subject_id="s", analytics=True, profiling=True, marketing=True),
    ConsentState(subject_id="s", analytics=True),
    ConsentState(subject_id="s"),
])


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_policy(), keys=InMemoryKeyProvider(),
                  pseudonym_keys=PseudonymKeyring.ephemeral_keyring(), scanner=FreeTextScanner())


def forms(value: str) -> set[str]:
    """The ways a value can show up in serialized output, lower-cased."""
    return {f.lower() for f in (value, urllib.parse.quote(value, safe=""),
                                urllib.parse.quote_plus(value), orjson.dumps(value).decode()[1:-1])}


def assert_no_leak(analytics: dict[str, Any] | None, values: list[str]) -> None:
    if analytics is None:
        return
    text = orjson.dumps(analytics).decode().lower()
    decoded = urllib.parse.unquote(text)
    for value in values:
        for form in forms(value):
            assert form not in text, f"a known value leaked ({len(value)} chars)"
            assert form not in decoded, f"a known value leaked URL-encoded ({len(value)} chars)"


@st.composite
def pii_events(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    email, ip, card = draw(EMAILS), draw(IPV4), draw(CARDS)
    user_id = draw(st.from_regex(r"u_[a-f0-9]{10}", fullmatch=True))
    name = draw(st.sampled_from(["Ada Lovelace", "Grace Hopper", "Linus Torvalds"]))
    before, after = draw(FILLER), draw(FILLER)
    shown_email = draw(st.sampled_from([email, email.upper(), email.title()]))
    where = draw(st.sampled_from(["message", "unknown", "nested", "list", "url", "path",
                                  "key"]))
    event: dict[str, Any] = {
        "ts": "2026-11-25T10:00:00Z", "user_id": user_id, "ip": ip, "email": email,
        "name": name, "service": "web",
    }
    embedded = f"{before} {shown_email} {after} card {card} ip {ip}".strip()
    if where == "message":
        event["message"] = embedded
    elif where == "unknown":
        event["detail_text"] = embedded
    elif where == "nested":
        event["extra"] = {"ctx": {"who": f"<{shown_email}>", "card": card, "peer": ip}}
    elif where == "list":
        event["recipients"] = [shown_email, f"cc:{email}", {"addr": ip}]
    elif where == "url":
        event["url"] = (f"https://shop.example.com/account?user="
                        f"{urllib.parse.quote(shown_email, safe='')}&ref=mail")
        event["message"] = f"redirect to /account?email={urllib.parse.quote_plus(email)}"
    elif where == "key":  # personal data as object keys: {"alice@example.com": 3}
        event["counts"] = {shown_email: 1, ip: 2, f"card {card}": 3}
    else:
        event["url"] = f"/users/{urllib.parse.quote(email)}/cards/{card}"
    raw = orjson.dumps(event)
    if draw(st.booleans()):  # JSON escaping: the same event with @ written as \u0040
        raw = raw.replace(b"@", b"\\u0040")
    return raw, [email, ip, card, user_id, name]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pii_events(), CONSENTS)
def test_known_pii_never_reaches_analytics(engine: Engine, case: tuple[bytes, list[str]],
                                           consent: ConsentState | None) -> None:
    raw, values = case
    result = engine(raw, consent)
    assert result.outcome in (Outcome.ANALYTICS, Outcome.IDENTIFIABLE_ONLY)
    assert_no_leak(result.analytics, values)
    assert result.privacy is not None
    assert_no_leak(result.privacy.as_record(), values)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["ip", "email", "ts", "geo", "user_id", "url", "lat",
                                       "user_agent", "x", "message", "name", "city"]) | st.text(
                                           max_size=8), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON, CONSENTS)
def test_any_json_gets_exactly_one_outcome(engine: Engine, value: Any,
                                           consent: ConsentState | None) -> None:
    result = engine(json.dumps(value).encode(), consent)  # json: integers past 64 bits too
    assert result.outcome in set(Outcome)
    if result.outcome is Outcome.DEADLETTER:
        assert result.reason
        assert result.analytics is None
    if result.analytics is not None:
        assert result.analytics["_privacy"]["policy"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_never_crash(engine: Engine, raw: bytes) -> None:
    assert engine(raw, None).outcome in set(Outcome)


_FIXED_TEXT = ('- [10/oct/2025:13:55:36 -0700] "get /a/ ?mail= http/1.1" 200 512 '
               '"https://ex.example.com/r?u=" "mozilla/5.0" dec 10 06:55:48 labsz sshd[24200]: '
               "accepted password for from port 4916 ssh2 mar  1 10:00:00 h sudo: "
               "tty=pts/0 ; pwd=/home/ ; user=root ; command=/bin/ls <user> "
               # what analytics records say besides the event: _privacy and derived fields
               "user.device.ip_address user.behavior.browsing_history user.behavior.session "
               "user.name user.contact.email unclassified policy tier full analytics_only none "
               "categories transforms marketing_opt_out gpc third_party_sharing true false "
               "ip_country ip_network url_path url_query_keys time_day time_hour ua_family "
               "ua_major browser browser_major os device desktop other mobile drop scan "
               "remote_addr remote_user time_local request status body_bytes_sent "
               "http_referer http_user_agent log_format access syslog timestamp host program "
               "pid message country network null <ip_address> <email_address> <id> <person>")
USERS = st.from_regex(r"[a-z][a-z0-9]{3,10}", fullmatch=True).filter(
    lambda u: u not in _FIXED_TEXT)  # a name that is also template text is no leak


@st.composite
def text_lines(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    email, ip, user = draw(EMAILS), draw(IPV4), draw(USERS)
    kind = draw(st.sampled_from(["access", "sshd", "sudo", "free"]))
    if kind == "access":
        query = urllib.parse.quote(email, safe="")
        line = (f'{ip} - {user} [10/Oct/2025:13:55:36 -0700] "GET /a/{query}?mail={query} '
                f'HTTP/1.1" 200 512 "https://ex.example.com/r?u={query}" "Mozilla/5.0"')
    elif kind == "sshd":
        line = (f"Dec 10 06:55:48 LabSZ sshd[24200]: Accepted password for {user} "
                f"from {ip} port 4916 ssh2")
    elif kind == "sudo":
        line = (f"Mar  1 10:00:00 h sudo:    {user} : TTY=pts/0 ; PWD=/home/{user} ; "
                f"USER=root ; COMMAND=/bin/ls")
    else:
        line = f"{draw(FILLER)} {email} {draw(FILLER)} {ip}"
    return line.encode(), [email, ip] + ([user] if kind != "free" else [])


@settings(max_examples=200, deadline=None)
@given(text_lines(), CONSENTS)
def test_known_pii_in_text_lines_never_reaches_analytics(
        engine: Engine, case: tuple[bytes, list[str]], consent: ConsentState | None) -> None:
    raw, values = case
    result = engine(raw, consent)
    assert result.outcome is Outcome.ANALYTICS
    assert_no_leak(result.analytics, values)
