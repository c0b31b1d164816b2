"""A second labeled mix: application logs with nested objects, arrays and free text.

`generate_nested(n, seed=...)` returns events of about 500 bytes shaped like structured
application logs (ECS-like `@timestamp`, `http.request`, `user` and `error` objects, an
array of line items, tags, stack frames), where `benchmarks.corpus` is flat web logs.
Every event lists its known PII values; the same seed always gives the same events.
"""

from __future__ import annotations

import random
from typing import Any

from benchmarks.corpus import LabeledEvent, clean_message, pii_message
from benchmarks.pii_values import GENERATORS, person_name

__all__ = ["generate_nested"]

PII_SHARE = 0.25
_SERVICES = ("orders", "checkout", "auth", "search", "payments", "inventory")
_ERRORS = ("TimeoutError", "ValueError", "KeyError", "ConnectionResetError")
_FRAMES = ("app/orders/service.py:88 in place_order", "app/db/pool.py:212 in acquire",
           "app/http/client.py:57 in post", "lib/retry.py:31 in call",
           "app/payments/gateway.py:140 in charge", "app/api/views.py:19 in handle")
_PATHS = ("/api/v2/orders", "/api/v2/cart/items", "/api/v2/login", "/api/v2/search",
          "/api/v2/payments/intent")


def _free_text(rng: random.Random, share: float) -> tuple[str, list[tuple[str, str]]]:
    if rng.random() < share:
        text, pii, _ = pii_message(rng)
        return text, pii
    return clean_message(rng), []


def _items(rng: random.Random) -> list[dict[str, Any]]:
    return [{"sku": f"SKU-{rng.randint(1000, 99999)}", "qty": rng.randint(1, 4),
             "price": round(rng.uniform(1, 300), 2)}
            for _ in range(rng.randint(0, 2))]


def _event(rng: random.Random, share: float) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    ip = GENERATORS["IP_ADDRESS"](rng)
    email = GENERATORS["EMAIL_ADDRESS"](rng).lower()
    name = person_name(rng)
    user_id = f"u_{rng.getrandbits(48):012x}"
    message, pii = _free_text(rng, share)
    event: dict[str, Any] = {
        "@timestamp": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}."
        f"{rng.randint(0, 999):03d}Z",
        "log": {"level": rng.choice(("info", "warn", "error")),
                "logger": f"app.{rng.choice(_SERVICES)}"},
        "http": {"request": {"method": rng.choice(("GET", "POST", "PUT")),
                             "path": rng.choice(_PATHS)},
                 "status": rng.choice((200, 201, 400, 404, 500, 503))},
        "client": {"ip": ip},
        "user": {"id": user_id, "name": name, "email": email,
                 "roles": rng.sample(("buyer", "seller", "admin", "support"), k=2)},
        "items": _items(rng),
        "tags": rng.sample(("retry", "slow", "beta", "mobile", "canary"), k=rng.randint(0, 2)),
        "duration_ms": round(rng.uniform(0.5, 3000), 1),
        "cached": rng.random() < 0.5,
        "trace": {"id": f"{rng.getrandbits(64):016x}", "parent": None},
        "message": message,
    }
    pii += [("IP_ADDRESS", ip), ("EMAIL_ADDRESS", email), ("PERSON", name), ("USER_ID", user_id)]
    if rng.random() < 0.4:
        detail, detail_pii = _free_text(rng, share)
        event["error"] = {"type": rng.choice(_ERRORS), "message": detail,
                          "stack": rng.sample(_FRAMES, k=rng.randint(1, 3))}
        pii += detail_pii
    return event, pii


def generate_nested(n: int, seed: int = 0, pii_share: float = PII_SHARE) -> list[LabeledEvent]:
    """`n` labeled nested events; the same seed always gives the same events."""
    rng = random.Random(seed)
    return [LabeledEvent(*_event(rng, pii_share)) for _ in range(n)]


if __name__ == "__main__":  # a quick look: python -m benchmarks.corpus_nested
    import orjson

    for labeled in generate_nested(4, seed=0):
        print(orjson.dumps(labeled.event).decode())
