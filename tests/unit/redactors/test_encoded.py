"""Base64 and hex tokens that decode to readable text; the scanner scans what they hold."""

from __future__ import annotations

import base64

import pytest

from redactors.encoded import decoded_tokens
from redactors.scanner import FreeTextScanner

EMAIL = "alice.smith@example.com"
B64 = base64.b64encode(EMAIL.encode()).decode()
URLSAFE = base64.urlsafe_b64encode(b"\xfb\xff alice.smith@example.com").decode()
HEX = EMAIL.encode().hex()


@pytest.mark.parametrize(("text", "expected"), [
    (f"user {B64} ok", [(5, 5 + len(B64), EMAIL)]),
    (f"GET /api/{B64}/profile", [(9, 9 + len(B64), EMAIL)]),  # a path segment
    (f"id={HEX}", [(3, 3 + len(HEX), EMAIL)]),
    (f"id={HEX.upper()}", [(3, 3 + len(HEX), EMAIL)]),
    # negatives: random key bytes, trace ids, ordinary words, too short
    ("trace 4bf92f3577b34da6a3ce929d0e0e4736 done", []),
    ("key " + base64.b64encode(bytes(range(200, 232))).decode(), []),
    ("Content-Length and transfer_encoding_chunked", []),
    ("short Zm9vYmFy", []),
    (f"x {URLSAFE}", []),  # decodes, but not to UTF-8 text
])
def test_decoded_tokens(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert list(decoded_tokens(text)) == expected


@pytest.mark.parametrize("text", [f"blob {B64} end", f"blob {HEX} end", f"/v1/{B64}/x"])
def test_the_scanner_redacts_an_encoded_email_whole(text: str) -> None:
    redacted, entities = FreeTextScanner().redact(text)
    assert entities == {"EMAIL_ADDRESS"}
    assert B64 not in redacted
    assert HEX not in redacted


def test_encoded_text_without_findings_is_left_alone() -> None:
    plain = base64.b64encode(b"just a harmless sentence here").decode()
    assert FreeTextScanner().redact(f"note {plain}") == (f"note {plain}", frozenset())
