"""Residual personal data in analytics output for a directory of real log files.

Run: python -m benchmarks.eval_corpora DIR [--out OUT] [--show N]
Every `*.log` / `*.jsonl` file in DIR goes through `logwarden redact FILE --out OUT/NAME`
(the embedded mode, as a user would run it). An oracle that shares no code with the
detectors then searches analytics.jsonl for what should not be there: valid IPv4 and
IPv6 addresses (also inside host names: `ip-10-0-0-1`, `5.6.7.8.dsl.example.net`),
emails and MAC addresses, and account names in the places sshd, PAM and su put them.
It also counts the placeholders per entity and the dead letters, so that over-redaction
(block ids or versions turned into `<IP_ADDRESS>`) shows next to the leaks.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["Residue", "main", "scan_output"]

_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d])")
_DIGIT_RUN = re.compile(r"(?<!\d)\d+(?:-\d+){3,}(?!\d)")  # `ec2-52-80-34-196`: the last four
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_EMAIL = re.compile(r"[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_MAC = re.compile(r"(?<![\w:\-])[0-9A-Fa-f]{2}(?:([:\-])[0-9A-Fa-f]{2})(?:\1[0-9A-Fa-f]{2}){4}"
                  r"(?![\w:\-])")
_ACCOUNT = re.compile(r"(?:(?:[Ii]nvalid user|password for(?: invalid user)?|publickey for"
                      r"|session (?:opened|closed) for user) |\b(?:user|ruser|logname)=)"
                      r"([^\s<>;\[\]()]+)")
_PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]+)>")
_NOT_ACCOUNTS = frozenset({"unknown", "from", "port", "by", "invalid"})


class Residue:
    """What the oracle found in one analytics file."""

    def __init__(self) -> None:
        self.leaks: Counter[str] = Counter()
        self.samples: dict[str, list[str]] = {}
        self.placeholders: Counter[str] = Counter()
        self.events = 0

    def add(self, kind: str, value: str) -> None:
        self.leaks[kind] += 1
        self.samples.setdefault(kind, []).append(value)


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "_privacy":
                yield key
                yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _ipv4_ok(text: str) -> bool:
    parts = re.split(r"[.\-]", text)
    return all(int(p) <= 255 for p in parts) and parts[0] not in ("0", "127")


def _ipv6_ok(text: str) -> bool:
    if text.count(":") < 2 or text in ("::", "::1"):
        return False
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return not (address.is_unspecified or address.is_loopback)


def scan_output(path: Path) -> Residue:
    """The oracle over one analytics.jsonl."""
    residue = Residue()
    for line in path.read_text(encoding="utf-8").splitlines():
        residue.events += 1
        for text in _strings(json.loads(line)):
            _scan_text(text, residue)
    return residue


def _scan_text(text: str, residue: Residue) -> None:
    """Every leak the oracle knows in one string value."""
    residue.placeholders.update(_PLACEHOLDER.findall(text))
    for match in _IPV4.finditer(text):
        if _ipv4_ok(match[0]):
            residue.add("ipv4", match[0])
    for match in _DIGIT_RUN.finditer(text):
        last_four = "-".join(match[0].split("-")[-4:])
        if re.fullmatch(r"(?:\d{1,3}-){3}\d{1,3}", last_four) and _ipv4_ok(last_four):
            residue.add("ipv4_in_hostname", last_four)
    for match in _IPV6.finditer(text):
        if _ipv6_ok(match[0]):
            residue.add("ipv6", match[0])
    for match in _EMAIL.finditer(text):
        residue.add("email", match[0])
    for match in _MAC.finditer(text):
        residue.add("mac", match[0])
    for match in _ACCOUNT.finditer(text):
        if match[1] and match[1].lower() not in _NOT_ACCOUNTS:
            residue.add("account", match[1])


def _redact(source: Path, out: Path) -> int:
    """Run the CLI on one file; the number of dead letters."""
    command = [sys.executable, "-m", "streams", "redact", str(source), "--out", str(out),
               "--quiet"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    deadletter = out / "deadletter.jsonl"
    return len(deadletter.read_text(encoding="utf-8").splitlines()) if deadletter.exists() else 0


def main(argv: Sequence[str] | None = None) -> None:
    """Redact every log in a directory and print the oracle's counts per file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--out", type=Path, default=Path("/tmp/logwarden-eval-corpora"))  # noqa: S108
    parser.add_argument("--show", type=int, default=0, help="sample leaked values per kind")
    args = parser.parse_args(argv)
    totals: Counter[str] = Counter()
    for source in sorted([*args.directory.glob("*.log"), *args.directory.glob("*.jsonl")]):
        out = args.out / source.stem
        dead = _redact(source, out)
        residue = scan_output(out / "analytics.jsonl")
        totals.update(residue.leaks)
        leaks = ", ".join(f"{k} {v}" for k, v in sorted(residue.leaks.items())) or "none"
        marks = ", ".join(f"{k} {v}" for k, v in residue.placeholders.most_common()) or "none"
        print(f"{source.stem:<14} events {residue.events:>6}  dead {dead:>4}  leaks: {leaks}")
        print(f"{'':<14} placeholders: {marks}")
        for kind, values in sorted(residue.samples.items()):
            if args.show:
                print(f"{'':<16}{kind}: {sorted(set(values))[: args.show]}")
    print(f"total leaks: {dict(sorted(totals.items())) or 'none'}")


if __name__ == "__main__":
    main()
