"""Contact detectors: email addresses and phone numbers."""

from __future__ import annotations

import phonenumbers

from redactors.detectors.base import Detector
from redactors.detectors.checks import has_any

__all__ = ["CONTACT_DETECTORS"]

# `icon@2x.png` is an asset name, not a mailbox.
_FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js"})
_PHONE_WORDS = ("phone", "tel", "mobile", "cell", "call", "fax", "sms", "whatsapp",
                "contact", "dial", "msisdn", "number", "ph:", "ph.", "txt")  # fmt: skip
# Regions tried for national formats with a trunk 0, most common in our traffic first.
_TRUNK_REGIONS = ("GB", "DE", "FR", "IT", "ES", "NL", "AU", "IN", "BR", "JP", "MX")
_SEPARATORS = frozenset(" .-()\u00a0\t")


def _email_ok(value: str, _before: str) -> bool:
    return value.rsplit(".", 1)[-1].lower() not in _FILE_SUFFIXES


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _parses(value: str, region: str | None, *, strict: bool) -> bool:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    if strict:
        return bool(phonenumbers.is_valid_number(number))
    return bool(phonenumbers.is_possible_number(number))


def _phone_ok(value: str, before: str) -> bool:
    """International and formatted numbers by their plan; bare digits only with context."""
    digits = _digits(value)
    if not 7 <= len(digits) <= 15:
        return False
    formatted = any(c in _SEPARATORS for c in value)
    context = has_any(before[-32:], _PHONE_WORDS)
    if value.startswith(("+", "00")):
        international = "+" + value[2:] if value.startswith("00") else value
        return _parses(international, None, strict=not (formatted or context))
    if not formatted and not context:
        return False
    if len(digits) in (10, 11) and _parses(value, "US", strict=not formatted):
        return True
    if digits.startswith("0"):
        strict = not context
        return any(_parses(value, region, strict=strict) for region in _TRUNK_REGIONS)
    return context and _parses(value, "US", strict=False)


_NOT_BEFORE = r"(?<![\w+.\-/#@$%])(?<!\d:)"  # not inside a larger token, time or version
_NOT_AFTER = r"(?![\w\-]|[.:/,]\d)"

CONTACT_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="email",
        entity="EMAIL_ADDRESS",
        pattern=(
            r"(?<![\w.%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,63}[A-Za-z0-9_%+\-])?"
            r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w\-])"
        ),
        hint=r"@[A-Za-z0-9\-]+\.[A-Za-z]",
        score=0.95,
        validate=_email_ok,
    ),
    Detector(
        name="phone_international",
        entity="PHONE_NUMBER",
        pattern=(
            r"(?<![\w+])(?:\+|00)\d{1,3}(?:[ .\-\u00a0]?\(\d{1,4}\))?"
            r"(?:[ .\-\u00a0]?\d{1,5}){1,6}" + _NOT_AFTER
        ),
        hint=r"(\+|00)\d[\d .\-\(\)]{6,}\d",
        score=0.8,
        trim_groups=4,
        validate=_phone_ok,
    ),
    Detector(
        name="phone_national",
        entity="PHONE_NUMBER",
        pattern=(
            _NOT_BEFORE + r"(?:1[ .\-])?(?:\(\d{2,5}\)[ .\-\u00a0]?|\d{2,5}[ .\-\u00a0])"
            r"\d{2,4}(?:[ .\-\u00a0]\d{2,4}){1,3}"
            + _NOT_AFTER
            + r"|"
            + _NOT_BEFORE
            + r"\(\d{3}\)[ \u00a0]?\d{3}[ .\-]\d{4}"
            + _NOT_AFTER
        ),
        hint=r"\d[\d .\-\(\)]{6,}\d",
        score=0.7,
        trim_groups=4,
        validate=_phone_ok,
    ),
    Detector(
        name="phone_digits",
        entity="PHONE_NUMBER",
        pattern=_NOT_BEFORE + r"\d{7,15}" + _NOT_AFTER,
        hint=r"\d{7}",
        score=0.6,
        validate=_phone_ok,
    ),
)
