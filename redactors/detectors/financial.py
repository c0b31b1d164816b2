"""Financial and national-id detectors: payment cards, IBANs and US SSNs."""

from __future__ import annotations

from redactors.detectors.base import Detector
from redactors.detectors.checks import context_words, iban_ok, luhn_ok, ssn_ok

__all__ = ["FINANCIAL_DETECTORS"]

# Issuer prefixes of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay,
# Maestro); a Luhn-valid 16-digit order id rarely also starts like a card.
_CARD_PREFIXES = ("4", "51", "52", "53", "54", "55", "22", "23", "24", "25", "26", "27",
                  "34", "37", "6011", "65", "644", "645", "646", "647", "648", "649",
                  "35", "300", "301", "302", "303", "304", "305", "36", "38", "39", "62",
                  "50", "56", "57", "58", "67")  # fmt: skip
_CARD_WORDS = context_words("card", "cc", "credit", "debit", "visa", "mastercard", "amex", "pan")


def _card_ok(value: str, before: str) -> bool:
    digits = "".join(c for c in value if c.isdigit())
    if not 13 <= len(digits) <= 19 or not digits.startswith(_CARD_PREFIXES):
        return False
    groups = [g for g in value.replace("-", " ").split(" ") if g]
    # Separated cards are 4-4-4-4(-3), 4-6-4/5 (Amex, Diners) or one run.
    if len(groups) > 1 and not (all(len(g) <= 4 for g in groups[:-1]) or len(groups) == 3):
        return False
    # A mistyped or test number after "card" is still a card number someone entered.
    return luhn_ok(digits) or (len(groups) > 1 and _CARD_WORDS.search(before[-24:]) is not None)


def _float_card_ok(value: str, before: str) -> bool:
    """The card a float spells: its integer part, or its mantissa shifted by the exponent."""
    if "e" in value.lower():
        mantissa, _, exponent = value.lower().partition("e")
        whole, _, fraction = mantissa.partition(".")
        digits = whole + fraction
        width = int(exponent.lstrip("+")) + 1
        if len(digits) > width:
            return False  # not an integer: a float's digits end where its exponent says
        digits = digits.ljust(width, "0")  # repr drops trailing zeros: 4.0000000000001E15
    else:
        digits = value.split(".", 1)[0]
    return _card_ok(digits, before) and luhn_ok(digits)


def _ssn_ok(value: str, _before: str) -> bool:
    return ssn_ok(value)


def _named_ssn_ok(value: str, _before: str) -> bool:
    """After `SSN` or `TIN`: an SSN, or an ITIN (area 9xx, which no SSN has)."""
    digits = "".join(c for c in value if c.isdigit())
    return ssn_ok(value) or (digits[0] == "9" and digits[3:5] != "00" and digits[5:] != "0000")


def _iban_ok(value: str, _before: str) -> bool:
    return iban_ok(value)


FINANCIAL_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="credit_card",
        entity="CREDIT_CARD",
        pattern=(  # every issuer prefix starts with 2-6
            r"(?<![\w\-.+])[2-6]\d{3}[ \-]\d{6}[ \-]\d{4,5}(?![\w\-]|\.\d)"
            r"|(?<![\w\-.+])[2-6]\d{3}[ \-]?(?:\d{4}[ \-]?){1,2}\d{1,7}(?![\w\-]|\.\d)"
        ),
        hint=r"[2-6]\d{3}[ \-]?\d{4}[ \-]?\d{2}",
        score=0.9,
        trim_groups=1,
        validate=_card_ok,
    ),
    Detector(
        name="iban",
        entity="IBAN_CODE",
        pattern=r"\b[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]{4}){2,7}(?:[ \-]?[A-Z0-9]{1,3})?\b",
        hint=r"[A-Z]{2}\d{2}[ \-]?[A-Z0-9]{4}",
        score=0.95,
        ignore_case=True,  # mod-97 keeps lower-case words out
        trim_groups=6,  # as many as the greedy pattern may take from following words
        validate=_iban_ok,
    ),
    Detector(
        name="us_ssn",
        entity="US_SSN",
        pattern=r"(?<![\w\-.])(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4})(?![\w\-]|\.\d)",
        hint=r"\d{3}[\- ]\d{2}[\- ]\d{4}",
        score=0.85,
        validate=_ssn_ok,
    ),
    Detector(
        name="us_ssn_after_word",
        entity="US_SSN",
        pattern=(  # nine bare digits are an id or a count unless named
            r"(?i:(?<![a-z])(?:ssn|social security|social sec|ss#|taxpayer|tin)[a-z]*)"
            r"[^\n\d]{0,16}?(?<![\w\-.])(?P<v>\d{9}|\d{3}-\d{2}-\d{4})(?![\w\-]|\.\d)"
        ),
        hint=r"(?i)(ssn|social sec|ss#|taxpayer|tin)",
        group="v",
        score=0.86,  # above the unnamed pattern: the word lets an ITIN through
        validate=_named_ssn_ok,
    ),
    Detector(
        name="credit_card_as_float",
        entity="CREDIT_CARD",
        # `4111111111111111.0`, `4.111111111111111E15`: a card number that went through a
        # float on its way to the log. The digits still pass Luhn.
        pattern=r"\b(?P<v>[2-6][0-9]{12,18}\.0{1,6}|[2-6]\.[0-9]{1,18}[eE]\+?1[2-8])\b",
        hint=r"[2-6][0-9]{12}[0-9]*\.0|[2-6]\.[0-9]+[eE]\+?1[2-8]",
        group="v",
        score=0.9,
        validate=_float_card_ok,
    ),
)
