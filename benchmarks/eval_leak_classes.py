"""Issue 10's leak classes through the engine: how many planted values reach analytics.

Run: python -m benchmarks.eval_leak_classes [--n 200]
Each class plants random values (seeded) in the shape the issue names; a value leaks when
its text (digits only for numbers) appears in the analytics record, or when a child's
event is routed at all. Runs against whatever `redactors` is importable, so the same file
measures a checkout before and after a change.
"""

from __future__ import annotations

import argparse
import random
import string
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from redactors.consent import ConsentState
from redactors.engine import load_engine
from redactors.keys import InMemoryKeyProvider
from redactors.result import Outcome

__all__ = ["main"]

Case = tuple[dict[str, Any], str]  # (event, planted value); "" marks a child to be dropped


def _word(rng: random.Random, n: int = 10) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n)) + "!9"


def _card(rng: random.Random) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if index % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _ip(rng: random.Random) -> str:
    return f"81.2.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _classes() -> dict[str, Callable[[random.Random], Case]]:
    def short_name(rng: random.Random) -> Case:
        secret = _word(rng)
        return {rng.choice(["pass", "pw", "passphrase", "userPW", "db_pin"]): secret}, secret

    def har_pair(rng: random.Random) -> Case:
        secret = _word(rng)
        name = rng.choice(["password", "Cookie", "Authorization", "pw"])
        return {"log": {"entries": [{"request": {"headers": [
            {"name": name, "value": secret}]}}]}}, secret

    def query_name(rng: random.Random) -> Case:
        value = rng.choice([_ip(rng), _card(rng)])
        return {"url": f"https://s/cb?{value}&x=1"}, value

    def intl_email(rng: random.Random) -> Case:
        local = rng.choice(["josé", "zoë", "françois", "müller", "ñandú"]) + str(rng.randrange(99))
        value = f"{local}@{rng.choice(['bücher.de', 'example.com', 'почта.рф'])}"
        return {"note": f"write to {value} today"}, local

    def obfuscated_email(rng: random.Random) -> Case:
        local = "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
        at = rng.choice(["\u200b@", "@\u200b", "\uff20", "\x00@"])
        return {"note": f"mail {local}{at}example.com"}, local

    def float_card(rng: random.Random) -> Case:
        card = _card(rng)
        return {"amount": float(card)}, card

    def contact_int(rng: random.Random) -> Case:
        number = 4155550000 + rng.randrange(10000)
        name = rng.choice(["callback", "mobileNo", "contactNumber", "tel_no"])
        return {name: number}, str(number)

    def convention_id(rng: random.Random) -> Case:
        value = _word(rng)
        path = rng.choice(["enduser.id", "enduser.pseudo.id", "client.user.id",
                           "source.user.id", "authid", "user.hash"])
        event: dict[str, Any] = {}
        node = event
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
        return event, value

    def child(rng: random.Random) -> Case:
        field, value = rng.choice([("birthYear", 2014), ("date_of_birth", "2013-05-01"),
                                   ("age", 12), ("birthdate", "2015-01-09")])
        return {"user_id": "u-1", field: value}, ""

    return {"credential short names": short_name, "name/value pairs": har_pair,
            "query-parameter names": query_name, "internationalized emails": intl_email,
            "obfuscated emails": obfuscated_email, "integral floats": float_card,
            "numbers under contact names": contact_int, "convention identity fields": convention_id,
            "children by birth date/age": child}


def main(argv: Sequence[str] | None = None) -> None:
    """Print leaks per class."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="cases per class")
    args = parser.parse_args(argv)
    engine = load_engine(None, InMemoryKeyProvider(), {}, allow_ephemeral=True)
    consent = ConsentState(subject_id="u-1", analytics=True, profiling=True)
    leaks: Counter[str] = Counter()
    rng = random.Random(10)
    for name, make in _classes().items():
        for _ in range(args.n):
            event, planted = make(rng)
            result = engine(orjson.dumps({"ts": "2026-11-30T10:00:00Z", **event}), consent)
            if not planted:
                leaks[name] += result.outcome is not Outcome.DROPPED
                continue
            text = orjson.dumps(result.analytics).decode() if result.analytics else ""
            leaks[name] += planted in text or planted in text.replace(".0", "")
        print(f"{name:<30} leaked {leaks[name]:>4} of {args.n}")
    print(f"{'all':<30} leaked {sum(leaks.values()):>4} of {args.n * len(_classes())}")


if __name__ == "__main__":
    main()
