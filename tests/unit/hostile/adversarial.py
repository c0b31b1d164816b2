"""Generated worst cases for regex detectors: each family builds a text of about n chars."""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["FAMILIES", "REPROS"]

Family = Callable[[random.Random, int], str]


def _digits(rnd: random.Random, k: int) -> str:
    return "".join(rnd.choice("0123456789") for _ in range(k))


def _word(rnd: random.Random, k: int) -> str:
    return "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(k))


# The repros (issue 10): the JWT retry, phone backtracking and validation cost.
REPROS: dict[str, Family] = {
    "jwt_retry": lambda r, n: "eyJ-" * (n // 4) + ".ab.c",
    "phone_plus_digits": lambda r, n: "".join(" +" + _digits(r, 25) + "a" for _ in range(n // 28)),
    "phone_trunk_national": lambda r, n: "".join(
        "0" + _digits(r, 3) + " " + _digits(r, 3) + " " + _digits(r, 4) + " "
        for _ in range(n // 14)),
    "private_key_headers": lambda r, n: "-----BEGIN PRIVATE KEY-----" * (n // 27),
}

# Near misses repeated: prefixes that start a candidate at every few characters and the
# runs that greedy repeats and lookarounds walk over.
FAMILIES: dict[str, Family] = {
    **REPROS,
    "paren_trunk": lambda r, n: "".join(
        "(0" + _digits(r, 3) + ") " + _digits(r, 3) + "-" + _digits(r, 4) + " "
        for _ in range(n // 16)),
    "digit_groups": lambda r, n: "".join(
        _digits(r, r.randint(1, 4)) + r.choice(" .-") for _ in range(n // 3)),
    "letters": lambda r, n: _word(r, n),
    "capitalized": lambda r, n: " ".join(_word(r, 5).capitalize() for _ in range(n // 6)),
    "name_pieces": lambda r, n: "".join(
        r.choice(["Aa ", "Bob ", "Smith-", "Mc", "Dear ", "from "]) for _ in range(n // 4)),
    "at_dots": lambda r, n: "a@" + "a." * (n // 2),
    "ats": lambda r, n: "a@" * (n // 2),
    "dotted_numbers": lambda r, n: "1." * (n // 2),
    "dashed_numbers": lambda r, n: "1-" * (n // 2),
    "colons": lambda r, n: "a:" * (n // 2),
    "double_colons": lambda r, n: "1::" * (n // 3),
    "assignments": lambda r, n: "".join(
        r.choice(["password=", "api_key=", "token ", "session_", "sid=", "bearer ", "basic "])
        for _ in range(n // 8)),
    "long_value": lambda r, n: "api_key=password=token=bearer " + "A1" * (n // 2),
    "scheme_userinfo": lambda r, n: "a://" + "b:" * (n // 2),
    "coordinates": lambda r, n: "".join(f"{r.uniform(-90, 90):.5f}, " for _ in range(n // 10)),
    "degrees": lambda r, n: "1° " * (n // 3),
    "words_after_labels": lambda r, n: "".join(
        r.choice(["name ", "user ", "ssn ", "id ", "phone ", "lat "]) for _ in range(n // 5)),
    "email_local_run": lambda r, n: "a" * n + "@",
    "quoted_password": lambda r, n: "password '" * (n // 10),
    "host_octets": lambda r, n: "a1-" * (n // 3),
    "credential_pairs": lambda r, n: "a@b.c / " * (n // 8),
    "base64_runs": lambda r, n: "".join(
        r.choice(["QUtJQVo3UVcz", "YWxpY2VAZXhhbXBsZS5jb20=", "/", "+", "-", "_", "Zm9v"])
        for _ in range(n // 6)),
    "hex_runs": lambda r, n: "".join(r.choice("0123456789abcdef/") for _ in range(n)),
}
