"""Contact detectors: email addresses and phone numbers."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import phonenumbers

from redactors.detectors.base import Detector
from redactors.detectors.checks import context_words

__all__ = ["CONTACT_DETECTORS"]

# `icon@2x.png` is an asset name, not a mailbox.
_FILE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js"})
_PHONE_WORDS = context_words("phone", "tel", "mobile", "cell", "call", "fax", "sms", "whatsapp",
                "contact", "dial", "msisdn", "ph:", "ph.", "txt", "reach", "handy", "t\u00e9l",
                "celular", "m\u00f3vil", "movil", "cellulare")  # fmt: skip
# National formats with a trunk 0 (or none) by region, most common in our traffic first.
_NATIONAL_REGIONS = ("GB", "DE", "FR", "IT", "ES", "NL", "AU", "IN", "BR", "JP", "MX", "CA",
                     "IE", "PL", "SE", "CH", "AT", "BE", "ZA", "NG", "PH", "CN", "KR")  # fmt: skip
# A check costs up to ~25 us per region tried (~250 us at worst); a text that needs more
# checks than this is hostile or a dump of numbers, and its later candidates count as phones.
_MAX_PHONE_VALIDATIONS = 32
_EXTENSION_AT_END = re.compile(r"[ \u00a0]?(?:x|ext\.?|#)[ \u00a0]?\d{1,6}$")
_NO_TRUNK_REGIONS = ("ES", "IT", "PT", "PL", "GR")
_URL_AUTHORITY = re.compile(r"://[^\s/@]*$")  # `scheme://user:pa` before `ss@host`
_DECIMAL = re.compile(r"[+\-]?\d+\.\d+")  # `+3.140000` is a formatted float
_DIGIT_RUNS = re.compile(r"\d+")
_SEPARATORS = frozenset(" .-()\u00a0\t")
_NANP_SHAPE = re.compile(r"(?:1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}([ .\-]))\d{3}([ .\-])\d{4}")
_DATE_OR_TIME = re.compile(
    r"(?:19|20)\d\d[\-./ ](?:0?[1-9]|1[0-2])[\-./ ](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[\-./](?:0?[1-9]|1[0-2])[\-./](?:19|20)?\d\d"
)


def _email_ok(value: str, before: str) -> bool:
    if _URL_AUTHORITY.search(before):
        return False  # userinfo of a URL: URL_CREDENTIALS covers it
    return value.rsplit(".", 1)[-1].lower() not in _FILE_SUFFIXES


def _groups(text: str) -> list[int]:
    return [len(run) for run in _DIGIT_RUNS.findall(text)]


@lru_cache(maxsize=4096)  # a parse costs about 25 us per region; numbers recur in logs
def _plausible(value: str, region: str | None, rule: str) -> bool:
    """Whether `value` is a number in `region` by `rule`: "possible" (length), "valid" (the
    plan) or "written" (valid and grouped the way that country writes its numbers)."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    if rule == "possible":
        return bool(phonenumbers.is_possible_number(number))
    if not phonenumbers.is_valid_number(number):
        return False
    if rule == "valid":
        return True
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return _groups(national) == _groups(value)


@cache
def _regions_for(significant: int, regions: tuple[str, ...]) -> tuple[str, ...]:
    """Those of `regions` whose plans have numbers of this many significant digits."""
    fitting = []
    for region in regions:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        lengths = (
            metadata.general_desc.possible_length if metadata and metadata.general_desc else ()
        )
        if significant in (lengths or ()):
            fitting.append(region)
    return tuple(fitting)


def _load_phone_metadata() -> None:
    """phonenumbers loads a region's metadata on its first parse; do that at construction."""
    for region in ("US", *_NATIONAL_REGIONS, *_NO_TRUNK_REGIONS):
        example = phonenumbers.example_number(region)
        if example is not None:
            phonenumbers.is_valid_number(example)


def _phone_ok(value: str, before: str) -> bool:
    """International or NANP-shaped numbers alone; other national forms must be valid and
    written the national way, or follow a phone word; bare digits always need the word."""
    value = _EXTENSION_AT_END.sub("", value)
    digits = sum(c.isdigit() for c in value)
    if not 7 <= digits <= 15 or _DATE_OR_TIME.search(value) or _DECIMAL.fullmatch(value):
        return False
    formatted = any(c in _SEPARATORS for c in value)
    context = _PHONE_WORDS.search(before[-32:]) is not None
    if value.startswith(("+", "00")):
        loose = context or (formatted and value.startswith("+"))  # `00` is also a time part
        international = "+" + value[2:] if value.startswith("00") else value
        return _plausible(international, None, "possible" if loose else "valid")
    if not (formatted or context):
        return False
    shape = _NANP_SHAPE.fullmatch(value)
    if shape and shape[1] in (None, shape[2]):
        return True  # (415) 555-2671, 415-555-2671: the shape is the check (and is possible)
    if context:
        return any(_plausible(value, r, "possible") for r in ("US", *_NATIONAL_REGIONS))
    significant = digits - 1 if value.lstrip("(").startswith("0") else digits  # minus trunk 0
    if value.startswith(("0", "(")):  # a trunk 0 or an (area code): the national way to write
        regions = _regions_for(significant, ("US", *_NATIONAL_REGIONS))
    else:  # plans without a trunk 0 (ES 612 34 56 78, PL 512 345 678)
        regions = _regions_for(significant, _NO_TRUNK_REGIONS)
    return any(_plausible(value, r, "written") for r in regions)


# Not inside a larger token, a time or a version.
_NOT_BEFORE = r"(?<![\w+.\-/#@$%])(?<!\d:)"
_EXTENSION = r"(?:[ \u00a0]?(?:x|ext\.?|#)[ \u00a0]?\d{1,6})?"  # `555-123-4567x890`
_NOT_AFTER = _EXTENSION + r"(?![\w\-]|[.:/,]\d)"

# -- internationalized addresses (RFC 6531 local parts, IDN domains, quoted local parts) --
# Written without look-arounds (RE2-friendly) and with explicit classes, so that hyperscan's
# prefilter reads them as Python does; each branch needs a non-ASCII character or a quote,
# so ASCII addresses stay with the detector above and never reach these.
_L0 = r"[A-Za-z0-9._%+\-]"  # an ASCII local-part character
# Punctuation outside ASCII (Latin-1 signs, general punctuation, CJK and fullwidth forms).
_PUNCT = (r"\u00a0-\u00bf\u00d7\u00f7\u2000-\u206f\u3000-\u303f\uff01-\uff0f\uff1a-\uff20"
          r"\uff3b-\uff40\uff5b-\uff65")
_L = r"[^\s!\"#$&'()*,/:;<=>?@\[\\\]^`{|}~" + _PUNCT + "]"  # a local-part character
_D0 = r"[A-Za-z0-9.\-]"  # an ASCII domain character
_D = r"[^\s!-,/:-@\[-`{-~" + _PUNCT + "]"  # letters and digits of any script, `.` and `-`
_NON_ASCII = r"[^\x00-\x7f" + _PUNCT + "]"
_IDN_EMAIL = (
    r'"[^"\\\r\n]{1,64}"@' + _D + "{1,253}"
    + "|" + _L0 + "{0,63}" + _NON_ASCII + _L + "{0,63}@" + _D + "{1,253}"
    + "|" + _L0 + "{1,64}@" + _D0 + "{0,252}" + _NON_ASCII + _D + "{0,252}"
)


def _idn_email_ok(value: str, before: str) -> bool:
    """A local part and a domain of letters, digits and marks of any script, with a
    top-level domain of letters (or `xn--`), not a URL's user info."""
    if _URL_AUTHORITY.search(before) or (before[-1:] and _L_CHAR.fullmatch(before[-1])):
        return False
    local, _, domain = value.rpartition("@")
    if not local.startswith('"') and (
            local.startswith(".") or local.endswith(".") or not _letters_ok(local)):
        return False
    labels = domain.split(".")
    tld = labels[-1]
    if len(labels) < 2 or not all(labels) or not _letters_ok(domain.replace(".", "")):
        return False
    if any(label.startswith("-") or label.endswith("-") for label in labels):
        return False
    return (tld.isalpha() and len(tld) >= 2) or tld.lower().startswith("xn--")


_L_CHAR = re.compile(_L)


def _letters_ok(text: str) -> bool:
    """Non-ASCII characters are letters, marks or digits (not a symbol or a space)."""
    return all(c.isascii() or unicodedata.category(c)[0] in "LMN" for c in text)


# Spelled-out emails: `priya [dot] natarajan [at] gmail [dot] com`, `jo(at)example(dot)org`,
# `kim at example dot com`. A bare ` at ` needs a bare ` dot ` too (`logged in at x.com`).
_AT = r"(?:\s{0,3}[\[({<]\s{0,2}at\s{0,2}[\])}>]\s{0,3}|\s{1,3}at\s{1,3})"
_DOT = r"(?:\s{0,3}[\[({<]\s{0,2}dot\s{0,2}[\])}>]\s{0,3}|\s{1,3}dot\s{1,3}|\.)"
_SPELLED_EMAIL = (
    r"(?i:(?<![\w.%+\-])[a-z0-9][\w%+\-]{0,63}(?:" + _DOT + r"[\w%+\-]{1,63}){0,4}" + _AT
    + r"[a-z0-9][a-z0-9\-]{0,62}(?:" + _DOT + r"[a-z0-9][a-z0-9\-]{0,62}){0,4}" + _DOT
    + r"[a-z]{2,24})(?![\w\-])"
)
_BRACKETED_AT = re.compile(r"[\[({<]\s*at\s*[\])}>]", re.IGNORECASE)
_BARE_DOT = re.compile(r"\sdot\s", re.IGNORECASE)


def _spelled_email_ok(value: str, _before: str) -> bool:
    """A bracketed `at`, or a bare `at` with a bare `dot`: prose has `at` and dots."""
    return _BRACKETED_AT.search(value) is not None or _BARE_DOT.search(value) is not None


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
        name="email_international",
        entity="EMAIL_ADDRESS",
        pattern=_IDN_EMAIL,
        hint=r'"@|[^\x00-\x7f][^\s@]{0,64}@|@[^\s@]{0,253}[^\x00-\x7f]',
        score=0.95,
        trim_groups=2,  # `josé@bücher.de.` at a sentence's end
        validate=_idn_email_ok,
    ),
    Detector(
        name="email_spelled_out",
        entity="EMAIL_ADDRESS",
        pattern=_SPELLED_EMAIL,
        hint=r"(?i)[\[({<] ?at ?[\])}>]|\sat\s",
        score=0.85,
        validate=_spelled_email_ok,
    ),
    Detector(
        name="phone_international",
        entity="PHONE_NUMBER",
        pattern=(
            r"(?:(?<![\w+])\+|(?<![\w+.:,/\-])00)\d{1,3}(?:[ .\-\u00a0]?\(\d{1,4}\))?"
            # possessive digit groups: a run of digits splits one way, not in every way
            r"(?:[ .\-\u00a0]?\d{1,5}+){1,6}" + _NOT_AFTER
        ),
        hint=r"(\+|00)\d[\d .\-\(\)]{6,}\d",
        score=0.8,
        trim_groups=4,
        validate=_phone_ok,
        prepare=_load_phone_metadata,
        max_validations=_MAX_PHONE_VALIDATIONS,
    ),
    Detector(
        name="phone_national",
        entity="PHONE_NUMBER",
        pattern=(  # the shapes that need no phone word: NANP, trunk 0, (area code)
            _NOT_BEFORE + r"(?:(?:1[ .\-])?(?:\(\d{3}\) ?\d{3}[ .\-]\d{4}|\d{3}-\d{3}-\d{4}"
            r"|\d{3}\.\d{3}\.\d{4}|\d{3} \d{3} \d{4}|\d{3} \d{2} \d{2} \d{2}|\d{3} \d{3} \d{3})"
            r"|(?<!\d{4}[ .\-])(?:0\d{1,5}[ .\-\u00a0]|\(0?\d{1,5}\)[ .\-\u00a0]?)"
            r"\d{2,8}(?:[ .\-\u00a0]\d{2,8}){0,3})" + _NOT_AFTER
        ),
        hint=r"\d{3}[ .\-\)]\s?\d{3}[ .\-]\d{4}|(0|\()\d{1,5}\)?[ .\-]?\d{2,8}[ .\-]\d{2}",
        score=0.7,
        trim_groups=4,
        validate=_phone_ok,
        prepare=_load_phone_metadata,
        max_validations=_MAX_PHONE_VALIDATIONS,
    ),
    Detector(
        name="phone_after_word",
        entity="PHONE_NUMBER",
        pattern=(  # any grouping of digits, but only right after a phone word
            r"(?i:(?<![a-z<])(?:phone|tel|mobile|cell|call|fax|sms|whatsapp|contact|dial|msisdn"
            r"|ph|txt|reach|handy|t\u00e9l|celular|m\u00f3vil|movil|cellulare)[a-z\u00e9]*)"
            r"[^\n\d+]{0,24}?"
            r"(?<![\w.\-/])(?P<v>(?:\(\d{1,5}\)[ .\-\u00a0]?)?\d[\d .\-\u00a0]{5,18}\d)"
            + _NOT_AFTER
        ),
        hint=(r"(?i)(phone|tel|mobile|cell|call|fax|sms|whatsapp|contact|dial|msisdn|ph|txt|reach"
              r"|handy|t\u00e9l|celular|m\u00f3vil|movil)"),
        group="v",
        score=0.7,
        trim_groups=4,
        validate=_phone_ok,
        prepare=_load_phone_metadata,
        max_validations=_MAX_PHONE_VALIDATIONS,
    ),
)
