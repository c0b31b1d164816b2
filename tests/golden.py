"""Golden outputs of the engine: every routed result of three mixes, pinned byte for byte.

The engine runs with fixed pseudonym keys, per-subject data keys derived from the subject
id and a fixed clock; the identifiable record is compared by its decrypted plaintext (its
nonce is random). Each result becomes one canonical JSON line; the golden file keeps the
sha256 of every line and, for every SAMPLE_EVERY-th event, the line itself in clear.

An intended change of outputs (detection, policy, corpus) regenerates the file:

    python -m tests.golden --update

and the diff of tests/golden_engine.jsonl shows which events changed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from benchmarks.corpus import generate
from benchmarks.corpus_nested import generate_nested
from redactors import codec
from redactors.consent import ConsentState
from redactors.engine import Engine, default_scanner
from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.result import RoutedResult
from redactors.sealing import decrypt_identifiable

__all__ = ["GOLDEN_FILE", "DerivedKeyProvider", "golden_engine", "inputs", "main", "outputs"]

GOLDEN_FILE = Path(__file__).with_name("golden_engine.jsonl")
SAMPLE_EVERY = 25
_CLOCK = datetime(2026, 11, 30, 12, 0, 0, tzinfo=UTC)

# Inputs no generator makes: bad input, text lines, odd shapes and signals.
_EDGE: tuple[bytes, ...] = (
    b"",
    b"   ",
    b"{not json",
    b"[1, 2, 3]",
    b'"a string"',
    b"\xff\xfe{}",
    b'{"a": 1, "a": 2}',
    b'{"user_id": "u1", "x": {"y": 1, "y": 2}}',
    b'{"user_id": "u1", "ip": "::1", "host":":80"}',
    b"[" * 40 + b"]" * 40,
    b'{"user_id": "u1", "d": ' + b'{"d": ' * 40 + b"1" + b"}" * 41,
    b"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /a.gif HTTP/1.0\" 200 2326",
    b"Nov 30 12:00:01 host sshd[42]: Failed password for root from 10.1.2.3 port 22 ssh2",
    b"plain line mailing bob@example.com about order 12345",
    b'{"user_id": "u2", "birth_year": 2015, "ts": "2026-01-01T00:00:00Z", "msg": "hi"}',
    b'{"user_id": "u3", "birth_year": "1990", "email": "a@b.example", "phone": "+1 202 555 0143"}',
    b'{"user_id": "u4", "birth_year": true}',
    b'{"user_id": "u5", "headers": {"Sec-GPC": "1", "DNT": "1"}, "ip": "2001:db8::1"}',
    b'{"user_id": "u6", "gpc": true, "card": "4111 1111 1111 1111", '
    b'"iban": "DE44500105175407324931"}',
    b'{"userId": 12345, "timestamp": 1764500000, "password": {"old": "a", "new": "b"}}',
    b'{"uid": "u7", "emails": ["x@y.example", "z@w.example"], "tags": [[1, 2], {"k": "v"}]}',
    b'{"user": {"id": "u8", "name": "Ada Lovelace", "birth_year": 1815}, "location": '
    b'{"lat": 51.5074, "lon": -0.1278, "city": "London"}, "coords": [48.8566, 2.3522]}',
    b'{"customer_id": "c9", "big": 4111111111111111, "neg": -12345678, "f": 1.5, "n": null}',
    b'{"account_id": "a10", "ada@example.com": 3, "key with space": "v", "": "empty"}',
    b'{"subject_id": "s11", "message": "", "msg": "call me at +44 20 7946 0958", '
    b'"error": {"stack": ["/home/alice/app.py", "/Users/bob/x.py"]}}',
    b'{"user_id": "u12", "ts": "not a time", "date": "2026-02-30", "time": "2026-03-01"}',
    b'{"user_id": "u13", "url": "https://u:pw@example.com/p?email=a%40b.example&q=1", '
    b'"referrer": "https://example.com/?token=abc"}',
    b'{"user_id": "u14", "user_agent": "curl/8.4.0", "ua": 7, "mac": "00:1A:2B:3C:4D:5E"}',
    b'{"user_id": " ", "uid": "  u15  ", "session_id": ["s1", "s2"], "cookie": {"a": "b"}}',
    b'{"user_id": "u16", "ip": ["1.2.3.4", "5.6.7.8"], "geo": "Paris", "name": null}',
    b'{"user_id": "u17", "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", '
    b'"note": "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here"}',
    '{"user_id": "u18", "name": "Zoë Ñúñez", "message": "écrit à zoë@exemple.fr ✓"}'.encode(),
)


class DerivedKeyProvider:
    """Per-subject data keys derived from the subject id: the same key in every run."""

    def get(self, subject_id: str) -> bytes | None:
        return self.get_or_create(subject_id)

    def get_or_create(self, subject_id: str) -> bytes:
        return hashlib.sha256(b"logwarden-golden-data-key:" + subject_id.encode()).digest()

    def delete(self, subject_id: str) -> None:
        return None


def golden_engine() -> Engine:
    """The default policy and scanner with fixed keys and a fixed clock."""
    keyring = PseudonymKeyring(
        {"golden": hashlib.sha256(b"logwarden-golden-pseudonym").digest()}, "golden")
    return Engine(load_policy(None), keys=DerivedKeyProvider(), pseudonym_keys=keyring,
                  scanner=default_scanner(), clock=lambda: _CLOCK)


def _consent(i: int, subject: str) -> ConsentState | None:
    """Every consent column in turn: full, analytics only, none, unknown, GPC, erased, adult."""
    match i % 7:
        case 0:
            return ConsentState(subject_id=subject, analytics=True, profiling=True, marketing=True)
        case 1:
            return ConsentState(subject_id=subject, analytics=True, profiling=True)
        case 2:
            return ConsentState(subject_id=subject, analytics=True)
        case 3:
            return ConsentState(subject_id=subject)
        case 4:
            return None
        case 5:
            return ConsentState(subject_id=subject, analytics=True, profiling=True, gpc=True)
        case _:
            if i % 14 == 6:
                return ConsentState(subject_id=subject, erased=True)
            return ConsentState(subject_id=subject, analytics=True, birth_year=1990)


def inputs() -> Iterator[tuple[str, int, bytes, ConsentState | None]]:
    """(mix, index, raw event, consent) for the web mix, the nested mix and the edge cases."""
    for i, labeled in enumerate(generate(300, seed=11)):
        yield "web", i, orjson.dumps(labeled.event), _consent(i, labeled.event["user_id"])
    for i, labeled in enumerate(generate_nested(300, seed=12)):
        yield "nested", i, orjson.dumps(labeled.event), _consent(i, labeled.event["user"]["id"])
    for i, raw in enumerate(_EDGE):
        yield "edge", i, raw, _consent(i, "edge")


def canonical(result: RoutedResult, keys: DerivedKeyProvider) -> bytes:
    """One result as canonical bytes: the records as the pipeline would encode them, and
    the identifiable record by its envelope (without nonce) and its decrypted plaintext."""
    line: dict[str, Any] = {
        "outcome": str(result.outcome),
        "reason": result.reason,
        "subject_id": result.subject_id,
        "privacy": None if result.privacy is None else result.privacy.as_record(),
        "analytics": None if result.analytics is None
        else codec.dumps(result.analytics).decode(),
    }
    if result.identifiable is not None:
        record = result.identifiable
        subject = str(record["subject_id"])
        plaintext = codec.dumps(decrypt_identifiable(record, keys.get_or_create(subject)))
        line["identifiable"] = {
            **{k: v for k, v in record.items() if k not in ("nonce", "ciphertext")},
            "nonce_bytes": len(base64.b64decode(record["nonce"])),
            "plaintext": plaintext.decode(),
        }
    return codec.dumps(line)


def outputs(engine: Engine, items: list[tuple[str, int, bytes, ConsentState | None]]
            ) -> dict[tuple[str, int], bytes]:
    """The canonical line of every input, through `engine` in the order given."""
    keys = DerivedKeyProvider()
    return {(mix, i): canonical(engine(raw, consent), keys) for mix, i, raw, consent in items}


def digest(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def load() -> dict[tuple[str, int], dict[str, Any]]:
    """The golden file: (mix, index) -> {"sha256": ..., "clear": line or absent}."""
    golden: dict[tuple[str, int], dict[str, Any]] = {}
    for text in GOLDEN_FILE.read_text().splitlines():
        entry = orjson.loads(text)
        golden[(entry["mix"], entry["i"])] = entry
    return golden


def write(lines: dict[tuple[str, int], bytes]) -> None:
    out = []
    for n, ((mix, i), line) in enumerate(lines.items()):
        entry: dict[str, Any] = {"mix": mix, "i": i, "sha256": digest(line)}
        if mix == "edge" or n % SAMPLE_EVERY == 0:
            entry["clear"] = orjson.loads(line)
        out.append(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS).decode())
    GOLDEN_FILE.write_text("\n".join(out) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden file")
    args = parser.parse_args(argv)
    lines = outputs(golden_engine(), list(inputs()))
    if args.update:
        write(lines)
        print(f"wrote {len(lines)} results to {GOLDEN_FILE}")
        return
    golden = load()
    changed = [key for key, line in lines.items()
               if key not in golden or golden[key]["sha256"] != digest(line)]
    print(f"{len(changed)} of {len(lines)} results differ from {GOLDEN_FILE.name}: {changed[:20]}")


if __name__ == "__main__":
    main()
