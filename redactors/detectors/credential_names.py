"""Secrets under short or indirect names in free text: `pw=`, `userPW:`, `db_pin=`, and a
name/value pair whose name is a credential (`{"name": "password", "value": "..."}`)."""

from __future__ import annotations

import re
from itertools import pairwise

from redactors.detectors.base import Detector
from redactors.detectors.credentials import _secret_ok
from redactors.name_tokens import name_tokens

__all__ = ["CREDENTIAL_NAME_DETECTORS"]

_SHORT = r"(?:pw|pwd|pin|pass|passwd|passcode|passphrase|pincode)"
_CAMEL = r"(?:PW|Pw|PWD|Pwd|PIN|Pin|Pass|Passwd|Passcode|Passphrase)"
_VALUE = r"(?P<v>\"[^\"\s]{1,256}\"|'[^'\s]{1,256}'|[^\s\"'&,;}\])]{1,256})"
# What a pair's name may be: credential words, as name tokens (`x-api-key` is `x api key`).
_SECRET_TOKENS = frozenset({"password", "passwd", "pass", "pw", "pwd", "passphrase", "passcode",
                            "pin", "secret", "token", "cookie", "authorization", "apikey",
                            "credential", "credentials", "otp", "sid", "sessionid"})
_SECRET_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key"),
                           ("session", "id"), ("set", "cookie")})
_PAIR_NAME = re.compile(r"[\"'](?:name|key|header|field)[\"']\s{0,8}:\s{0,8}[\"']([^\"']{1,64})"
                        r"[\"']\s{0,8},\s{0,8}[\"'](?:value|val)[\"']\s{0,8}:\s{0,8}$")


def _secret_name(name: str) -> bool:
    tokens = name_tokens(name)
    return bool(_SECRET_TOKENS.intersection(tokens)) or any(
        pair in _SECRET_PAIRS for pair in pairwise(tokens))


def _pair_ok(value: str, before: str) -> bool:
    found = _PAIR_NAME.search(before)
    return found is not None and _secret_name(found[1]) and _secret_ok(value, before)


CREDENTIAL_NAME_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="password_short_name",
        entity="SECRET",
        pattern=(  # `pw=`, `db_pin:`, `wifi.pass=`, `userPW:`, `"newPin": "..."`
            # Bounded repeats: a long run of `a_a_a_...` or letters costs a bounded scan per
            # start, never a rescan to the end (linear in the text).
            r"\b(?:(?:[A-Za-z0-9]{1,32}[_\-.]){0,4}(?i:" + _SHORT + r")"
            r"|[a-z][a-z0-9]{0,31}" + _CAMEL + r")"
            r"[\"']?[ \t]{0,8}[:=][ \t]{0,8}[\"']?" + _VALUE
        ),
        hint=r"(?i)(pw|pin|pass)[\"']?\s*[:=]",
        group="v",
        score=0.9,
        validate=_secret_ok,
    ),
    Detector(
        name="credential_name_value_pair",
        entity="SECRET",
        pattern=(  # `{"name": "password", "value": "hunter2"}` in a logged text
            r"[\"'](?:name|key|header|field)[\"']\s{0,8}:\s{0,8}[\"'][^\"']{1,64}[\"']\s{0,8},"
            r"\s{0,8}[\"'](?:value|val)[\"']\s{0,8}:\s{0,8}(?P<v>\"[^\"]{1,1024}\"|'[^']{1,1024}')"
        ),
        hint=r"[\"'](value|val)[\"']\s*:",
        group="v",
        score=0.9,
        context_window=160,
        validate=_pair_ok,
    ),
)
