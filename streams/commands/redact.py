"""`logwarden redact`: the engine without Kafka, over JSONL (non-JSON lines are text events)."""

from __future__ import annotations

import base64
import gzip
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from redactors.consent import ConsentState
from redactors.engine import Engine, load_engine
from redactors.errors import LogwardenError
from redactors.keys import InMemoryKeyProvider
from redactors.result import Outcome, RoutedResult
from schemas import codec

__all__ = ["redact"]

_PROGRESS_SECONDS = 5.0
_FLAGS = ("analytics", "profiling", "marketing", "gpc", "erased")


def read_consent(path: str) -> dict[str, ConsentState]:
    """Consent events, one JSON object per line, the last line per subject winning."""
    states: dict[str, ConsentState] = {}
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, errors reported per line
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read consent file ({exc.strerror})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                doc = codec.loads(line)
            except codec.DecodeError:
                raise click.ClickException(f"{path}:{number}: not a JSON object") from None
            if not isinstance(doc, dict) or not isinstance(doc.get("subject_id"), str):
                raise click.ClickException(f"{path}:{number}: subject_id: missing or not a string")
            for flag in _FLAGS:
                if not isinstance(doc.get(flag, False), bool):
                    raise click.ClickException(f"{path}:{number}: {flag}: not a boolean")
            birth_year = doc.get("birth_year")
            if birth_year is not None and (isinstance(birth_year, bool)
                                           or not isinstance(birth_year, int)):
                raise click.ClickException(f"{path}:{number}: birth_year: not an integer")
            states[doc["subject_id"]] = ConsentState(
                subject_id=doc["subject_id"], birth_year=birth_year,
                updated_at=doc.get("updated_at") if isinstance(doc.get("updated_at"), str)
                else None, **{flag: bool(doc.get(flag, False)) for flag in _FLAGS})
    return states


def _lines(source: str) -> Iterator[bytes]:
    """Lines of FILE (plain or gzip, by its magic bytes) or of stdin for `-`."""
    if source == "-":
        yield from sys.stdin.buffer
        return
    try:
        with open(source, "rb") as handle:
            if handle.read(2) != b"\x1f\x8b":
                handle.seek(0)
                yield from handle
                return
        with gzip.open(source, "rb") as unzipped:
            yield from unzipped
    except (OSError, EOFError) as exc:  # unreadable, or a truncated or corrupt .gz
        reason = getattr(exc, "strerror", None) or str(exc)
        raise click.ClickException(f"{source}: cannot read ({reason})") from None


def save_data_keys(keys: InMemoryKeyProvider, path: str) -> None:
    """One `{"subject_id": ..., "key": base64}` per line, readable by the owner only."""
    lines = b"".join(codec.dumps({"subject_id": s, "key": base64.b64encode(k).decode()})
                     + b"\n" for s, k in keys.items())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(lines)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write ({exc.strerror})") from None


class _Outputs:
    """The three route files in the output directory."""

    def __init__(self, out: Path) -> None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            self.analytics = open(out / "analytics.jsonl", "wb")  # noqa: SIM115
            self.identifiable = open(out / "identifiable.jsonl", "wb")  # noqa: SIM115
            self.deadletter = open(out / "deadletter.jsonl", "wb")  # noqa: SIM115
        except OSError as exc:
            raise click.ClickException(f"{out}: cannot write ({exc.strerror})") from None

    def close(self) -> None:
        for handle in (self.analytics, self.identifiable, self.deadletter):
            handle.close()


def run(engine: Engine, lines: Iterator[bytes], outputs: _Outputs,
        consent: dict[str, ConsentState], *, keep_raw: bool,
        progress: IO[str] | None) -> tuple[Counter[str], Counter[str]]:
    """Route every line; returns counts per route and per category."""
    routes: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    dumps = codec.dumps
    started = last = time.monotonic()
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue  # blank lines are not events
        parsed = engine.parse(raw)
        if isinstance(parsed, RoutedResult):
            result = parsed
        else:
            subject = engine.subject_of(parsed)
            result = engine.route(parsed, consent.get(subject) if subject is not None else None)
        routes[result.outcome.value] += 1
        if result.outcome is Outcome.DEADLETTER or result.outcome is Outcome.DROPPED:
            routes[f"{result.outcome.value}:{result.reason}"] += 1
        if result.analytics is not None:
            outputs.analytics.write(dumps(result.analytics) + b"\n")
        if result.identifiable is not None:
            outputs.identifiable.write(dumps(result.identifiable) + b"\n")
        if result.outcome is Outcome.DEADLETTER:
            record: dict[str, Any] = {"line": number, "reason": result.reason}
            if keep_raw:
                record["raw"] = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
            outputs.deadletter.write(dumps(record) + b"\n")
        for category in result.privacy.get("categories", ()):
            categories[category] += 1
        if progress is not None and number % 4096 == 0:
            now = time.monotonic()
            if now - last >= _PROGRESS_SECONDS:
                last = now
                rate = number / (now - started)
                progress.write(f"logwarden redact: {number} lines, {rate:,.0f}/s\n")
                progress.flush()
    return routes, categories


@click.command()
@click.argument("source", default="-", metavar="[FILE|-]")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory for analytics.jsonl, identifiable.jsonl, deadletter.jsonl.")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
              help="Policy YAML (default: the built-in policy).")
@click.option("--consent", "consent_path", type=click.Path(dir_okay=False),
              help="Consent events, one JSON object per line (subject_id, analytics, ...).")
@click.option("--keys", "key_file", type=click.Path(dir_okay=False),
              help="Pseudonym key file ('kid:base64key' lines, first is current); default "
                   "$LOGWARDEN_PSEUDONYM_KEYS or $LOGWARDEN_PSEUDONYM_KEY_FILE.")
@click.option("--deadletter-raw/--no-deadletter-raw", default=False, show_default=True,
              help="Copy the raw bad line into deadletter.jsonl (it may hold personal data).")
@click.option("--data-keys", "data_keys_path", type=click.Path(dir_okay=False),
              help="Write the per-subject data keys here (mode 0600) so identifiable.jsonl "
                   "can be decrypted later; by default they die with the run.")
@click.option("--quiet", is_flag=True, help="No progress or notices on stderr.")
def redact(source: str, out_dir: str, policy_path: str | None, consent_path: str | None,
           key_file: str | None, deadletter_raw: bool, data_keys_path: str | None,
           quiet: bool) -> None:
    """Run the privacy engine over JSONL from FILE (or stdin) without Kafka."""
    if source != "-" and not os.access(source, os.R_OK):
        raise click.ClickException(f"{source}: cannot read (missing or not readable)")
    consent = read_consent(consent_path) if consent_path else {}
    data_keys = InMemoryKeyProvider()  # per-subject data keys live for this run only
    try:
        engine = load_engine(policy_path, data_keys, os.environ,
                             key_file=key_file, allow_ephemeral=True)
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet and engine.pseudonym_keys.ephemeral:
        click.echo("logwarden redact: no pseudonym keys given: using an ephemeral key, so "
                   "pseudonyms match nothing outside this run", err=True)
    if not quiet and data_keys_path is None:
        click.echo("logwarden redact: identifiable records are sealed under per-subject keys "
                   "that live only for this run (--data-keys FILE keeps them)", err=True)
    outputs = _Outputs(Path(out_dir))
    try:
        routes, categories = run(engine, _lines(source), outputs, consent,
                                 keep_raw=deadletter_raw,
                                 progress=None if quiet else sys.stderr)
    finally:
        outputs.close()
    if data_keys_path is not None:
        save_data_keys(data_keys, data_keys_path)
    total = sum(routes[o.value] for o in Outcome)
    click.echo(f"events: {total}")
    for outcome in Outcome:
        click.echo(f"  {outcome.value}: {routes[outcome.value]}")
        for key in sorted(k for k in routes if k.startswith(f"{outcome.value}:")):
            click.echo(f"    {key.split(':', 1)[1]}: {routes[key]}")
    click.echo("categories (events):")
    for category, count in sorted(categories.items()):
        click.echo(f"  {category}: {count}")
