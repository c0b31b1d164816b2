"""Folding before scanning: NFKC, invisible characters out, offsets back to the original."""

from __future__ import annotations

import pytest

from redactors.normalize import fold
from redactors.scanner import FreeTextScanner


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("alice\u200b@example.com", "alice@example.com"),  # zero-width space
        ("a\x00lice@example.com", "alice@example.com"),  # NUL
        ("ali\u00adce@exam\u2060ple.com", "alice@example.com"),  # soft hyphen, word joiner
        ("alice\uff20example\uff0ecom", "alice@example.com"),  # fullwidth @ and .
        ("\uff14\uff11\uff11\uff11", "4111"),  # fullwidth digits
        ("\u2488 \ufb01le", "1. file"),  # compatibility forms
        ("tab\tand\nnewline\r", None),  # whitespace controls stay
        ("josé garcía 東京", None),  # already NFKC, nothing invisible
        ("plain ascii", None),
    ],
)
def test_fold(text: str, folded: str | None) -> None:
    result = fold(text)
    assert (result.text if result is not None else None) == folded


def test_fold_maps_spans_back_to_the_original() -> None:
    text = "mail: a\u200bl\uff49ce\uff20example.com!"
    result = fold(text)
    assert result is not None
    start = result.text.index("alice")
    end = result.text.index("!")
    original = result.span(start, end)
    assert text[original[0]:original[1]] == "a\u200bl\uff49ce\uff20example.com"


@pytest.fixture(scope="module")
def scanner() -> FreeTextScanner:
    return FreeTextScanner()


@pytest.mark.parametrize(
    ("text", "secret", "entity"),
    [
        ("contact alice\u200b@example.com today", "example.com", "EMAIL_ADDRESS"),
        ("contact a\x00lice@example.com", "lice@example", "EMAIL_ADDRESS"),
        ("mail alice\uff20example.com", "example.com", "EMAIL_ADDRESS"),
        ("card \uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11"
         "\uff11\uff11\uff11\uff11 declined", "\uff11\uff11\uff11\uff11", "CREDIT_CARD"),
        ("from 203\u200b.0.113.77 ok", "113", "IP_ADDRESS"),
        ("u=alice%EF%BC%A0example.com", "example.com", "EMAIL_ADDRESS"),  # escaped, then folded
        # internationalized addresses: non-ASCII local parts, IDN domains, quoted local parts
        ("mail josé.garcía@example.com ok", "garc", "EMAIL_ADDRESS"),
        ("write to alice@bücher.de.", "bücher", "EMAIL_ADDRESS"),
        ('to "john doe"@example.com now', "john doe", "EMAIL_ADDRESS"),
        ("用户@例子.广告 hi", "例子", "EMAIL_ADDRESS"),
        ("dmitri@почта.рф ok", "почта", "EMAIL_ADDRESS"),
        ("x «josé@bücher.de» y", "bücher", "EMAIL_ADDRESS"),
    ],
)
def test_obfuscated_and_international_values_are_found(
        scanner: FreeTextScanner, text: str, secret: str, entity: str) -> None:
    redacted, entities = scanner.redact(text)
    assert secret not in redacted
    assert entity in entities


@pytest.mark.parametrize(
    "text",
    [
        "café au lait @ 5€",
        "prix: 5 € @ Zürich",
        "ü@x",  # no domain
        "größe@ungültig",  # no top-level domain
        "see «@bücher.de»",  # no local part
        "naïve@-bad-.de",  # labels may not start or end with a hyphen
    ],
)
def test_non_addresses_are_left(scanner: FreeTextScanner, text: str) -> None:
    assert scanner.redact(text) == (text, frozenset())
