"""Random but valid PII values, each in one of the formats seen in real logs."""

from __future__ import annotations

import base64
import ipaddress
import random
import string
from collections.abc import Callable

import orjson
import phonenumbers

__all__ = ["FIRST_NAMES", "GENERATORS", "LAST_NAMES", "person_name"]

_FIRST_NAME_WORDS = """
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony
Betty Mark Sandra Olivia Liam Emma Noah Amelia Oliver Sophia Elijah Isabella Lucas Mia Mateo
Camila Hiroshi Yuki Wei Mei Arjun Priya Mohammed Fatima Ahmed Aisha Olga Dmitri Ingrid Lars
Sven Astrid Pierre Camille Giulia Marco Sofia Javier Lucia Chinedu Ngozi Kwame Ama Aoife
Siobhan Bjorn Zofia Tomasz Ananya Rahul Thanh Minh
"""
FIRST_NAMES = tuple(_FIRST_NAME_WORDS.split())
_LAST_NAME_WORDS = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark
Lewis Walker Young Allen King Wright Scott Nguyen Hill Flores Green Adams Nakamura Tanaka
Chen Wang Patel Sharma Khan Hussain Ivanova Petrov Larsen Johansson Dubois Lefebvre Rossi
Bianchi Fernandez Okafor Mensah O'Brien Kowalski Nowak Schmidt Schneider Fischer Weber Meyer
Wagner Becker Hoffmann Novak Silva Santos Murphy Kelly
"""
LAST_NAMES = tuple(_LAST_NAME_WORDS.split())
_PHONE_REGIONS = ("US", "US", "US", "GB", "DE", "FR", "IN", "AU", "CA", "BR", "NL", "ES")
_PHONE_FORMATS = (
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.E164,
)
_IBAN_BODIES = {"DE": (18, "d"), "GB": (18, "GB"), "FR": (23, "d"), "NL": (14, "NL"),
                "ES": (20, "d"), "IT": (23, "IT"), "BE": (12, "d"), "CH": (17, "d")}  # fmt: skip
_DOMAINS = ("example.com", "mail.example.org", "corp.example.co.uk", "gmail.com", "outlook.com",
            "uni-example.de", "example.io", "shop.example.fr")  # fmt: skip
_B64URL = string.ascii_letters + string.digits + "-_"
_ALNUM = string.ascii_letters + string.digits


def _chars(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def person_name(rng: random.Random) -> str:
    """A first and last name, sometimes with a middle initial."""
    middle = f" {rng.choice(string.ascii_uppercase)}." if rng.random() < 0.1 else ""
    return f"{rng.choice(FIRST_NAMES)}{middle} {rng.choice(LAST_NAMES)}"


def email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST_NAMES).lower(), rng.choice(LAST_NAMES).lower().replace("'", "")
    local = rng.choice(
        (f"{first}.{last}", f"{first[0]}{last}", f"{first}_{last}{rng.randint(1, 99)}",
         f"{first}+{rng.choice(['news', 'shop', 'test'])}", f"{last}{rng.randint(1970, 2010)}")
    )  # fmt: skip
    domain = rng.choice(_DOMAINS)
    value = f"{local}@{domain}"
    return value.upper() if rng.random() < 0.05 else value


def ip_address(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.55:
        while True:
            v4 = ipaddress.IPv4Address(rng.getrandbits(32))
            if v4.is_global:
                return str(v4)
    v6 = ipaddress.IPv6Address((0x2001 << 112) | (0x0DB8 << 96) | rng.getrandbits(64))
    if kind < 0.75:
        return v6.compressed
    if kind < 0.85:
        return v6.exploded
    return f"::ffff:{ipaddress.IPv4Address(rng.getrandbits(32))}"


def phone_number(rng: random.Random) -> str:
    region = rng.choice(_PHONE_REGIONS)
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(example.national_number) if example else "4155552671"
    while True:
        digits = national[:3] + "".join(rng.choice(string.digits) for _ in national[3:])
        number = phonenumbers.parse(digits, region)
        if phonenumbers.is_valid_number(number):
            break
    text: str = phonenumbers.format_number(number, rng.choice(_PHONE_FORMATS))
    if region == "US" and rng.random() < 0.3:
        text = rng.choice(("{}-{}-{}", "{}.{}.{}")).format(digits[:3], digits[3:6], digits[6:])
    return text


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str((10 - total % 10) % 10)


def credit_card(rng: random.Random) -> str:
    prefix, length = rng.choice((("4", 16), ("51", 16), ("55", 16), ("2221", 16),
                                 ("37", 15), ("6011", 16), ("4", 13), ("35", 16)))  # fmt: skip
    number = _luhn_complete(prefix, length, rng)
    if length == 15:
        return rng.choice((number, f"{number[:4]} {number[4:10]} {number[10:]}"))
    separator = rng.choice(("", " ", "-"))
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


def iban(rng: random.Random) -> str:
    country, (length, kind) = rng.choice(list(_IBAN_BODIES.items()))
    if kind == "d":
        bban = "".join(rng.choice(string.digits) for _ in range(length))
    else:
        bban = _chars(rng, string.ascii_uppercase, 4) + _chars(rng, string.digits, length - 4)
    check = 98 - int("".join(str(int(c, 36)) for c in bban + country + "00")) % 97
    compact = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def us_ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    digits = f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
    return rng.choice(("{}-{}-{}", "{} {} {}")).format(digits[:3], digits[3:5], digits[5:])


def mac_address(rng: random.Random) -> str:
    octets = [f"{rng.randrange(256):02x}" for _ in range(6)]
    style = rng.random()
    if style < 0.15:
        joined = "".join(octets)
        return ".".join(joined[i : i + 4] for i in range(0, 12, 4))
    text = (":" if style < 0.7 else "-").join(octets)
    return text.upper() if rng.random() < 0.4 else text


def geo_coordinate(rng: random.Random) -> str:
    places = rng.randint(4, 6)
    lat, lon = rng.uniform(-60, 70), rng.uniform(-179, 179)
    return f"{lat:.{places}f},{rng.choice(('', ' '))}{lon:.{places}f}"


def session_token(rng: random.Random) -> str:
    return rng.choice((
        _chars(rng, "0123456789abcdef", 32),
        _chars(rng, string.ascii_lowercase + string.digits, 26),
        _chars(rng, "0123456789ABCDEF", 32),
        _chars(rng, _B64URL, 43),
    ))  # fmt: skip


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    header = {"alg": rng.choice(("HS256", "RS256", "ES256")), "typ": "JWT"}
    payload = {"sub": str(rng.randint(1, 10**9)), "iat": rng.randint(1_600_000_000, 1_800_000_000)}
    signature = rng.randbytes(32 if header["alg"] != "RS256" else 64)
    return ".".join((_b64url(orjson.dumps(header)), _b64url(orjson.dumps(payload)),
                     _b64url(signature)))  # fmt: skip


def api_key(rng: random.Random) -> str:
    return rng.choice((
        "AKIA" + _chars(rng, string.ascii_uppercase + "234567", 16),
        "sk_live_" + _chars(rng, _ALNUM, 24),
        "sk_test_" + _chars(rng, _ALNUM, 24),
        "ghp_" + _chars(rng, _ALNUM, 36),
        "xoxb-" + f"{rng.randint(10**10, 10**11)}-{rng.randint(10**10, 10**11)}-"
        + _chars(rng, _ALNUM, 24),
        "AIza" + _chars(rng, _ALNUM + "-_", 35),
    ))  # fmt: skip


def bearer_token(rng: random.Random) -> str:
    return _chars(rng, _B64URL, rng.randint(24, 64))


def secret(rng: random.Random) -> str:
    words = ("summer", "dragon", "Passw0rd", "letmein", "Tr0ub4dor", "monkey", "s3cr3t")
    return (
        rng.choice(words)
        + rng.choice(("", "!", "#", "123", "2024", "&x"))
        + str(rng.randint(0, 99))
    )


def url_credentials(rng: random.Random) -> str:
    user = rng.choice(("admin", "app", "svc_billing", "deploy", rng.choice(FIRST_NAMES).lower()))
    return f"{user}:{secret(rng).replace('&', '')}"


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "API_KEY": api_key,
    "BEARER_TOKEN": bearer_token,
    "CREDIT_CARD": credit_card,
    "EMAIL_ADDRESS": email,
    "GEO_COORDINATE": geo_coordinate,
    "IBAN_CODE": iban,
    "IP_ADDRESS": ip_address,
    "JWT": jwt,
    "MAC_ADDRESS": mac_address,
    "PERSON": person_name,
    "PHONE_NUMBER": phone_number,
    "SECRET": secret,
    "SESSION_TOKEN": session_token,
    "URL_CREDENTIALS": url_credentials,
    "US_SSN": us_ssn,
}
