"""Secrets under short or indirect names in free text, and credential name/value pairs."""

from __future__ import annotations

import pytest

from redactors.scanner import FreeTextScanner


@pytest.fixture(scope="module")
def scanner() -> FreeTextScanner:
    return FreeTextScanner()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("login pw=hunter2x ok", "hunter2x"),
        ("userPW: s3cret!x", "s3cret!x"),
        ("wifi.pass=Tr0ub4dor", "Tr0ub4dor"),
        ("set pin=4821 for card", "4821"),
        ("user_db_pw=xyz123 retry", "xyz123"),
        ('{"newPin": "0000-9x"}', "0000-9x"),
        ('{"name": "password", "value": "hunter2x"}', "hunter2x"),
        ("{'key': 'X-Api-Key', 'value': 'Zq81mP0x'}", "Zq81mP0x"),
        ('{"name": "Set-Cookie", "value": "sid=abc; Path=/"}', "sid=abc"),
    ],
)
def test_secrets_under_short_names_are_found(scanner: FreeTextScanner, text: str,
                                             secret: str) -> None:
    redacted, entities = scanner.redact(text)
    assert secret not in redacted
    assert "SECRET" in entities


@pytest.mark.parametrize(
    "text",
    [
        "bypass=1 ok",
        "spin=3 rounds",
        "pw=null",
        "compass: north",
        "Set pin: changed",
        '{"name": "Accept-Encoding", "value": "gzip"}',
        '{"name": "page", "value": "2"}',
    ],
)
def test_lookalikes_are_left(scanner: FreeTextScanner, text: str) -> None:
    assert "SECRET" not in scanner.redact(text)[1]
