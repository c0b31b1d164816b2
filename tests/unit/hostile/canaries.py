"""Planted secrets and personal data, and the encodings a careless service logs them in."""

from __future__ import annotations

import base64
from urllib.parse import quote

__all__ = ["CANARIES", "FORMS", "encode", "leaked"]

# name -> (the value planted, the part of it that must never reach analytics). Made up here,
# in the formats secret scanners know; none is a real credential.
CANARIES: dict[str, tuple[str, str]] = {
    "aws_key_id": ("AKIAZ7QW3RT5YU2PLM4N", "AKIAZ7QW3RT5YU2PLM4N"),
    "github_token": ("ghp_a8Kd93jLmQ2xZp7RtY5vBn4Wc6Hs1Fg0Ue3Q",) * 2,
    "slack_token": ("xoxb-2847561930-7734019283-Qz8mN3pL5kR7tW9yB2vC4xD6",) * 2,
    "stripe_key": ("sk_live_4eC39HqLyjWDarjtT1zdp7dc9Xk2",) * 2,
    "jwt": ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1LTQyIn0."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",) * 2,
    "url_password": ("https://bob:Hx7pQ2rL9wZk@db.internal:5432/app", "Hx7pQ2rL9wZk"),
    "password": ("password=Tr0ub4dor&3xyz", "Tr0ub4dor&3xyz"),
    "email": ("zelda.quint@example.org", "zelda.quint@example.org"),
    "card": ("4111 1111 1111 1111", "4111 1111 1111 1111"),
}
FORMS = ("raw", "url", "base64", "hex", "escaped_u")


def encode(value: str, form: str) -> str:
    """`value` as a service might log it: raw, percent-encoded, base64, hex or `\\uXXXX`."""
    if form == "raw":
        return value
    if form == "url":
        return quote(value, safe="")
    if form == "base64":
        return base64.b64encode(value.encode()).decode()
    if form == "hex":
        return value.encode().hex()
    if form == "escaped_u":  # a literal backslash-u text, as a double-encoded JSON log holds
        return "".join(f"\\u{ord(c):04x}" for c in value)
    raise ValueError(form)


def leaked(analytics: bytes, name: str) -> list[str]:
    """The forms of canary `name` (its secret part, each encoding) found in `analytics`."""
    secret = CANARIES[name][1]
    text = analytics.decode("utf-8", "replace")
    return [form for form in FORMS if encode(secret, form) in text
            or (form == "hex" and encode(secret, form).upper() in text)]
