"""A deterministic, labeled corpus of realistic web-log events for tests and benchmarks.

`generate(n, seed=...)` returns events with structured fields and a free-text
`message`; about a fifth of messages carry PII. Every event lists its known PII
values, and `message_spans` gives where each one sits in the message.
"""

from __future__ import annotations

import random
import re
import urllib.parse
import uuid
from dataclasses import dataclass, field
from typing import Any

from benchmarks.pii_values import GENERATORS, person_name

__all__ = ["PII_TEMPLATES", "LabeledEvent", "clean_message", "generate", "pii_message"]

PII_SHARE = 0.2

# `{ENTITY}` is a value as is; `{ENTITY:url}` percent-encoded; `{ENTITY:upper}` upper case.
PII_TEMPLATES: tuple[str, ...] = (
    "password reset requested for {EMAIL_ADDRESS}",
    "login failed for user {EMAIL_ADDRESS} from {IP_ADDRESS}",
    "sent receipt to {EMAIL_ADDRESS:upper} (order {ORDER})",
    "GET /api/v2/users/lookup?email={EMAIL_ADDRESS:url}&page=2 took {MS}ms",
    "redirect to https://shop.example.com/account?user={EMAIL_ADDRESS:url}&ref=mail",
    "rate limit exceeded for {IP_ADDRESS} ({NUM} requests in 60s)",
    "upstream connect error to [{IP_ADDRESS}]:8443 after {MS}ms",
    'client {IP_ADDRESS} - - "GET /checkout HTTP/1.1" 200 {BYTES}',
    '{IP_ADDRESS} - - [10/Oct/2025:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 {BYTES}',
    "Failed password for invalid user admin from {IP_ADDRESS} port {NUM} ssh2",
    "DHCPACK on {IP_ADDRESS} to {MAC_ADDRESS} via eth0",
    "sms verification code sent to {PHONE_NUMBER}",
    "customer asked for a callback on {PHONE_NUMBER} about order {ORDER}",
    "contact phone updated: {PHONE_NUMBER}",
    "payment declined for card {CREDIT_CARD} (code 05)",
    "charge ok amount=49.90 EUR card={CREDIT_CARD}",
    "refund to IBAN {IBAN_CODE} scheduled",
    "payout account changed to {IBAN_CODE} by support",
    "kyc check: ssn {US_SSN} matched",
    "tax form received, SSN: {US_SSN}",
    "new device {MAC_ADDRESS} joined the network",
    "dhcp lease renewed for {MAC_ADDRESS} ip {IP_ADDRESS}",
    "location update {GEO_COORDINATE} accuracy 12m",
    "store finder query near {GEO_COORDINATE}",
    "resuming session_id={SESSION_TOKEN} after {MS}ms",
    "Set-Cookie: PHPSESSID={SESSION_TOKEN}; path=/; HttpOnly",
    "invalid JSESSIONID={SESSION_TOKEN} on /cart",
    "token refresh failed for {JWT}",
    "id_token={JWT} rejected: expired",
    "AWS call with access key {API_KEY} denied",
    "config loaded api_key={API_KEY} region=eu-west-1",
    "stripe webhook signed with {API_KEY}",
    "Authorization: Bearer {BEARER_TOKEN}",
    "forwarding request with header authorization=Bearer {BEARER_TOKEN}",
    "db connect password={SECRET} host=db-1",
    "oauth exchange client_secret={SECRET} grant=client_credentials",
    "connecting to postgres://{URL_CREDENTIALS}@db.internal:5432/orders",
    "mirror https://{URL_CREDENTIALS}@git.example.com/repo.git failed",
    "Dear {PERSON}, your order {ORDER} has shipped",
    "profile updated name: {PERSON}",
    "support ticket opened by {PERSON} via chat",
    "invite accepted from {PERSON} ({EMAIL_ADDRESS})",
    "{PERSON} changed the delivery address",
    "GET /search?q=shoes&first_name={PERSON:form}&zip=10115",
)

_PLACEHOLDER = re.compile(r"\{([A-Z_]+)(?::(\w+))?\}")


@dataclass(frozen=True, slots=True)
class LabeledEvent:
    """One event with its PII: (entity, value) pairs and (start, end, entity) message spans."""

    event: dict[str, Any]
    pii: list[tuple[str, str]] = field(default_factory=list)
    message_spans: list[tuple[int, int, str]] = field(default_factory=list)


def _filler(name: str, rng: random.Random) -> str:
    """Non-PII values that look like numbers and ids PII detectors trip over."""
    if name == "ORDER":
        return rng.choice((f"{rng.randint(10**7, 10**10)}", f"ORD-{rng.randint(10**5, 10**8)}"))
    if name == "MS":
        return str(rng.randint(1, 30000))
    if name == "BYTES":
        return str(rng.randint(100, 10**7))
    return str(rng.randint(1, 5000))


def _encode(value: str, how: str | None) -> str:
    if how == "url":
        return urllib.parse.quote(value, safe="")
    if how == "form":
        return urllib.parse.quote_plus(value)
    if how == "upper":
        return value.upper()
    return value


def pii_message(
    rng: random.Random,
) -> tuple[str, list[tuple[str, str]], list[tuple[int, int, str]]]:
    """A message from a PII template: its text, its values and their spans."""
    template = rng.choice(PII_TEMPLATES)
    parts: list[str] = []
    pii: list[tuple[str, str]] = []
    spans: list[tuple[int, int, str]] = []
    last = 0
    length = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[last : match.start()]
        parts.append(literal)
        length += len(literal)
        entity, how = match[1], match[2]
        if entity in GENERATORS:
            value = GENERATORS[entity](rng)
            text = _encode(value, how)
            pii.append((entity, value))
            spans.append((length, length + len(text), entity))
        else:
            text = _filler(entity, rng)
        parts.append(text)
        length += len(text)
        last = match.end()
    parts.append(template[last:])
    return "".join(parts), pii, spans


def clean_message(rng: random.Random) -> str:
    """An ordinary log message without PII, full of numbers, ids, dates and versions."""
    hexid = "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice((7, 8, 12, 40))))
    day = f"20{rng.randint(19, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    return rng.choice((
        f"GET /api/v1/orders/{rng.randint(10**6, 10**10)} 200 {rng.randint(100, 99999)} "
        f"{rng.random():.3f}s",
        f"request_id={uuid.UUID(int=rng.getrandbits(128))} completed in {rng.randint(1, 999)}ms",
        f"build {hexid} deployed, version {rng.randint(1, 20)}.{rng.randint(0, 30)}"
        f".{rng.randint(0, 99)}",
        f"cache hit ratio {rng.random():.4f} over {rng.choice((3600, 86400))} s",
        f"processed {rng.randint(1, 10**9)} bytes at {day}T{clock}.{rng.randint(0, 999):03d}Z",
        f"kafka offset {rng.randint(10**6, 10**12)} partition {rng.randint(0, 63)} lag "
        f"{rng.randint(0, 10**5)}",
        f"retrying in {rng.randint(100, 5000)} ms (attempt {rng.randint(1, 5)}/5)",
        f"trace_id={hexid}{hexid}"[:41] + f" span_id={rng.getrandbits(64):016x}",
        f"pulled image sha256:{rng.getrandbits(256):064x}",
        f"Listening on 0.0.0.0:{rng.choice((80, 443, 8080, 9092, 6379))} with "
        f"{rng.randint(1, 64)} workers",
        f"ts={rng.randint(1_600_000_000_000, 1_800_000_000_000)} heap={rng.randint(64, 8192)}MB "
        f"gc_pause={rng.random() * 50:.2f}ms",
        f"{day} {clock} INFO scheduler job nightly-export finished in {rng.randint(1, 9999)}s",
        f"User-Agent Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/{rng.randint(100, 131)}"
        f".0.0.0 Safari/537.36",
        f"disk /dev/sda1 {rng.randint(1, 99)}% used ({rng.randint(1, 2000)}G of 2048G)",
        f"invoice {day[:4]}-{rng.randint(100000, 999999)} generated, total "
        f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}",
        f"Accepted publickey for deploy from port {rng.randint(1024, 65535)} ssh2",
        f"HTTP 503 from upstream payments (timeout {rng.randint(1, 60)}s), "
        f"circuit open for {rng.randint(10, 300)}s",
        f"feature flag checkout_v{rng.randint(2, 9)} enabled for {rng.randint(1, 100)}% "
        f"of {rng.randint(1000, 999999)} users",
        f"Windows build 10.0.{rng.randint(10000, 22631)}.{rng.randint(1, 4000)} detected",
        f"span {rng.getrandbits(32):08x}-{rng.getrandbits(16):04x} sampled "
        f"rate 0.{rng.randint(1, 99)}",
    ))  # fmt: skip


def _structured(rng: random.Random) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The structured part of an event and its PII values."""
    ip = GENERATORS["IP_ADDRESS"](rng)
    email = GENERATORS["EMAIL_ADDRESS"](rng).lower()
    name = person_name(rng)
    session = GENERATORS["SESSION_TOKEN"](rng)
    user_id = f"u_{rng.getrandbits(48):012x}"
    lat, lon = round(rng.uniform(-60, 70), 5), round(rng.uniform(-179, 179), 5)
    query = rng.choice(("", f"?q={rng.choice(('shoes', 'tv', 'sofa'))}",
                        f"?email={urllib.parse.quote(email, safe='')}&ref=newsletter"))  # fmt: skip
    event = {
        "ts": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
        "service": rng.choice(("web", "checkout", "auth", "search", "payments")),
        "event": rng.choice(("page_view", "click", "login", "logout", "error", "purchase")),
        "user_id": user_id,
        "session_id": session,
        "ip": ip,
        "geo": {"lat": lat, "lon": lon, "city": "Berlin", "country": "DE"},
        "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "url": f"https://shop.example.com/{rng.choice(('cart', 'p/123', 'account'))}{query}",
        "email": email,
        "name": name,
        "headers": {
            "Referer": "https://www.example.com/",
            "Accept-Language": "en-US",
            "Cookie": f"sid={session}; theme=dark",
        },
    }
    pii = [("IP_ADDRESS", ip), ("EMAIL_ADDRESS", email), ("PERSON", name),
           ("SESSION_TOKEN", session), ("USER_ID", user_id),
           ("GEO_COORDINATE", f"{lat},{lon}")]  # fmt: skip
    return event, pii


def generate(n: int, seed: int = 0, pii_share: float = PII_SHARE) -> list[LabeledEvent]:
    """`n` labeled events; the same seed always gives the same events."""
    rng = random.Random(seed)
    events: list[LabeledEvent] = []
    for _ in range(n):
        event, pii = _structured(rng)
        if rng.random() < pii_share:
            message, message_pii, spans = pii_message(rng)
        else:
            message, message_pii, spans = clean_message(rng), [], []
        event["message"] = message
        events.append(LabeledEvent(event, pii + message_pii, spans))
    return events


if __name__ == "__main__":  # a quick look: python -m benchmarks.corpus
    import orjson

    for labeled in generate(8, seed=0):
        print(orjson.dumps(labeled.event).decode(), labeled.message_spans)
