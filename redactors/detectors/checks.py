"""Validators shared by detectors: checksums, number plans and shape tests."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections import Counter

from redactors import codec

__all__ = [
    "context_words",
    "iban_ok",
    "is_ip_address",
    "is_jwt",
    "looks_random",
    "luhn_ok",
    "ssn_ok",
]

# IBAN length per country (ISO 13616 registry); the country code alone is a strong filter.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}  # fmt: skip


def context_words(*words: str) -> re.Pattern[str]:
    """A pattern for context words at a word start (`tel` in `tel:`, not in `patel`, nor in
    our own `<PHONE_NUMBER>` placeholder)."""
    return re.compile(r"(?<![a-z<])(?:" + "|".join(re.escape(w) for w in words) + ")")


def luhn_ok(value: str) -> bool:
    """The Luhn (mod 10) checksum over the digits of `value`."""
    total = 0
    for index, char in enumerate(reversed([c for c in value if c.isdigit()])):
        digit = ord(char) - 48
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def iban_ok(value: str) -> bool:
    """The ISO 13616 length for the country and the mod-97 check."""
    compact = value.replace(" ", "").replace("-", "").upper()
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def ssn_ok(value: str) -> bool:
    """SSA rules: no area 000, 666 or 9xx, no group 00, no serial 0000."""
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) != 9 or len(set(digits)) == 1:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def is_ip_address(value: str) -> bool:
    """A valid IPv4 or IPv6 address, allowing brackets and a zone id."""
    address = value.strip("[]").split("%", 1)[0]
    if ":" not in address:  # IPv4 by hand: `010.001.002.003` is zero-padded, still an address
        octets = address.split(".")
        return len(octets) == 4 and all(o.isdigit() and int(o) <= 255 for o in octets)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def looks_random(value: str, min_length: int = 12, min_bits: float = 3.0) -> bool:
    """Long enough, mixed enough and with enough entropy per char to be a token."""
    if len(value) < min_length:
        return False
    has_digit = any(c.isdigit() for c in value)
    upper = sum(c.isupper() for c in value)
    lower = sum(c.islower() for c in value)
    # digits and letters, or (for base64 without digits) many of both cases
    if not ((has_digit and upper + lower) or (upper >= 3 and lower >= 3 and len(value) >= 20)):
        return False
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= min_bits


def is_jwt(value: str) -> bool:
    """Three base64url segments whose header is a JSON object naming an `alg`."""
    header = value.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
        parsed = codec.loads(decoded)
    except (binascii.Error, ValueError):
        return False
    return isinstance(parsed, dict) and "alg" in parsed
