"""`logwarden redact`: the engine without Kafka, over JSONL (non-JSON lines are text events)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import multiprocessing
import os
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path
from typing import IO, Any

import click

from redactors import codec
from redactors.consent import ConsentState
from redactors.engine import Engine, default_scanner, load_engine
from redactors.errors import LogwardenError
from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.result import Outcome, RoutedResult
from streams.commands.options import policy_option
from streams.commands.progress import LineProgress

__all__ = ["redact"]

_PARALLEL_BYTES = 4 << 20
_CHUNK_LINES = 2048
# A batch of lines holds at most this many bytes (plus its last line); a worker pool has at
# most one batch per process plus one in flight. Memory is bounded by bytes, not lines.
_CHUNK_BYTES = 2 << 20
_SKIP_BYTES = 1 << 16  # the rest of a too-long line is read and dropped in pieces this big
_FLAGS = ("analytics", "profiling", "marketing", "gpc", "erased")
_BOM = b"\xef\xbb\xbf"
_ROUTE_FILES = ("analytics.jsonl", "identifiable.jsonl", "deadletter.jsonl")
_OWNER_ONLY = 0o600


def read_consent(path: str) -> dict[str, ConsentState]:
    """Consent events, one JSON object per line, the last line per subject winning."""
    states: dict[str, ConsentState] = {}
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, errors reported per line
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read consent file ({exc.strerror})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if number == 1 and line.startswith(_BOM):  # Windows tools open files with one
                line = line[len(_BOM):]
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


def _bounded_lines(readline: Callable[[int], bytes], limit: int) -> Iterator[bytes]:
    """The lines `readline` gives, each cut at `limit` + 1 bytes: a longer line is never
    held whole (its first `limit` + 1 bytes are enough for the engine to call it too_large)."""
    while line := readline(limit + 2):
        if len(line) == limit + 2 and not line.endswith(b"\n"):
            while (rest := readline(_SKIP_BYTES)) and not rest.endswith(b"\n"):
                pass
            line = line[: limit + 1]
        yield line


def _plain_size(source: str) -> int | None:
    """The bar's total: a plain file's size; unknown for stdin and gzip."""
    if source == "-":
        return None
    with open(source, "rb") as handle:
        return None if handle.read(2) == b"\x1f\x8b" else os.fstat(handle.fileno()).st_size


def _lines(source: str, limit: int) -> Iterator[bytes]:
    """Lines of FILE (plain or gzip, by its magic bytes, read as a stream) or of stdin for
    `-`, none longer than `limit` + 1 bytes."""
    if source == "-":
        yield from _bounded_lines(sys.stdin.buffer.readline, limit)
        return
    try:
        with open(source, "rb") as handle:
            if handle.read(2) != b"\x1f\x8b":
                handle.seek(0)
                yield from _bounded_lines(handle.readline, limit)
                return
        with gzip.open(source, "rb") as unzipped:
            yield from _bounded_lines(unzipped.readline, limit)
    except (OSError, EOFError) as exc:  # unreadable, or a truncated or corrupt .gz
        reason = getattr(exc, "strerror", None) or str(exc)
        raise click.ClickException(f"{source}: cannot read ({reason})") from None


def save_data_keys(keys: list[tuple[str, bytes]], path: str) -> None:
    """One `{"subject_id": ..., "key": base64}` per line, readable by the owner only."""
    lines = b"".join(codec.dumps({"subject_id": s, "key": base64.b64encode(k).decode()})
                     + b"\n" for s, k in keys)
    try:
        with _owner_only(Path(path)) as handle:
            handle.write(lines)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write ({exc.strerror})") from None


def _owner_only(path: Path) -> IO[bytes]:
    """`path` truncated for writing, mode 0600 whether it is new or already existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _OWNER_ONLY)
    try:
        os.fchmod(fd, _OWNER_ONLY)  # O_CREAT's mode applies only to a new file
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, "wb")


def check_paths(source: str, out: Path, data_keys: str | None) -> None:
    """Refuse a run that would overwrite its own input (or write keys over an output)."""
    written = [out.resolve() / name for name in _ROUTE_FILES]
    if source != "-":
        input_path = Path(source).resolve()
        if input_path.is_relative_to(out.resolve()):
            raise click.ClickException(
                f"{source}: the input is inside the output directory {out}; choose another")
        written.append(input_path)
    if data_keys is not None and Path(data_keys).resolve() in written:
        raise click.ClickException(f"{data_keys}: --data-keys would overwrite the input or "
                                   "a route file")


class _Outputs:
    """The three route files in the output directory; the dead letters may hold raw input,
    so they are readable by the owner only."""

    def __init__(self, out: Path) -> None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            self.analytics = open(out / "analytics.jsonl", "wb")  # noqa: SIM115
            self.identifiable = open(out / "identifiable.jsonl", "wb")  # noqa: SIM115
            self.deadletter = _owner_only(out / "deadletter.jsonl")
        except OSError as exc:
            raise click.ClickException(f"{out}: cannot write ({exc.strerror})") from None

    def close(self) -> None:
        for handle in (self.analytics, self.identifiable, self.deadletter):
            handle.close()


class SubjectKeys:
    """Per-subject data keys derived from one random run key: every worker process of a
    run seals a subject's records under the same key, and nothing outlives the run
    unless --data-keys writes the keys out."""

    def __init__(self, run_key: bytes) -> None:
        self._run_key = run_key
        self._erased: set[str] = set()

    def get(self, subject_id: str) -> bytes | None:
        return None if subject_id in self._erased else self.get_or_create(subject_id)

    def get_or_create(self, subject_id: str) -> bytes:
        return hmac.new(self._run_key, b"logwarden-subject-key:" + subject_id.encode(),
                        hashlib.sha256).digest()

    def delete(self, subject_id: str) -> None:
        self._erased.add(subject_id)


# What one input line became, ready to write: (outcome, reason, analytics line,
# identifiable line, dead-letter line, categories, subject of the identifiable record).
_Routed = tuple[str, str | None, bytes | None, bytes | None, bytes | None, tuple[str, ...],
                str | None]


def route_line(engine: Engine, consent: dict[str, ConsentState], number: int, raw: bytes,
               keep_raw: bool) -> _Routed:
    """One line through the engine, serialized."""
    parsed = engine.parse(raw)
    if isinstance(parsed, RoutedResult):
        result = parsed
    else:
        subject = engine.subject_of(parsed)
        result = engine.route(parsed, consent.get(subject) if subject is not None else None)
    dead = None
    if result.outcome is Outcome.DEADLETTER:
        record: dict[str, Any] = {"line": number, "reason": result.reason}
        if keep_raw:
            record["raw"] = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
        dead = codec.dumps(record)
    return (result.outcome.value, result.reason,
            codec.dumps(result.analytics) if result.analytics is not None else None,
            codec.dumps(result.identifiable) if result.identifiable is not None else None,
            dead, tuple(result.privacy.categories if result.privacy else ()),
            result.subject_id if result.identifiable is not None else None)


_WORKER: tuple[Engine, dict[str, ConsentState], bool] | None = None


def _start_worker(policy_path: str | None, keyring: PseudonymKeyring, run_key: bytes,
                  consent: dict[str, ConsentState], keep_raw: bool) -> None:
    global _WORKER  # one engine per worker process, built once
    policy = load_policy(policy_path)
    engine = Engine(policy, keys=SubjectKeys(run_key),
                    pseudonym_keys=keyring, scanner=default_scanner(ner=policy.ner))
    _WORKER = (engine, consent, keep_raw)


def _route_chunk(chunk: list[tuple[int, bytes]]) -> list[_Routed]:
    assert _WORKER is not None
    engine, consent, keep_raw = _WORKER
    return [route_line(engine, consent, number, raw, keep_raw) for number, raw in chunk]


def _chunks(lines: Iterator[bytes], size: int,
            max_bytes: int = _CHUNK_BYTES) -> Iterator[list[tuple[int, bytes]]]:
    """Numbered non-blank lines in batches of at most `size` lines and about `max_bytes`."""
    chunk: list[tuple[int, bytes]] = []
    held = 0
    for number, raw in enumerate(lines, 1):
        if not raw.isspace():  # blank lines are not events
            chunk.append((number, raw))
            held += len(raw)
            if len(chunk) >= size or held >= max_bytes:
                yield chunk
                chunk = []
                held = 0
    if chunk:
        yield chunk


def _routed_in_order(pool: Pool, chunks: Iterable[list[tuple[int, bytes]]],
                     in_flight: int) -> Iterator[_Routed]:
    """Route batches in the pool, in input order, with at most `in_flight` batches read
    ahead (`Pool.imap` would read the whole input into memory if the workers fall behind)."""
    pending: deque[AsyncResult[list[_Routed]]] = deque()
    for chunk in chunks:
        pending.append(pool.apply_async(_route_chunk, (chunk,)))
        if len(pending) >= in_flight:
            yield from pending.popleft().get()
    while pending:
        yield from pending.popleft().get()


def run(routed: Iterator[_Routed], outputs: _Outputs, *, subjects: set[str],
        bar: LineProgress | None = None) -> tuple[Counter[str], Counter[str]]:
    """Write every routed line; returns counts per route and per category."""
    routes: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for count, (outcome, reason, analytics, identifiable, dead, found, subject) in enumerate(
            routed, 1):
        routes[outcome] += 1
        if outcome in (Outcome.DEADLETTER, Outcome.DROPPED):
            routes[f"{outcome}:{reason}"] += 1
        if analytics is not None:
            outputs.analytics.write(analytics + b"\n")
        if identifiable is not None:
            outputs.identifiable.write(identifiable + b"\n")
            if subject is not None:
                subjects.add(subject)
        if dead is not None:
            outputs.deadletter.write(dead + b"\n")
        categories.update(found)
        if bar is not None and count % 256 == 0:
            bar.update(count, routes)
    if bar is not None:
        bar.update(sum(routes[o.value] for o in Outcome), routes, force=True)
    return routes, categories


def _workers_for(source: str, workers: int) -> int:
    """0 = automatic: every core for files of a few MiB and more, else in process."""
    if workers > 0:
        return workers
    try:
        big = source != "-" and os.path.getsize(source) >= _PARALLEL_BYTES
    except OSError:
        big = False
    return min(os.cpu_count() or 1, 8) if big else 1


@click.command()
@click.argument("source", default="-", metavar="[FILE|-]")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory for analytics.jsonl, identifiable.jsonl, deadletter.jsonl.")
@policy_option(help="Policy YAML (default: the built-in policy).")
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
@click.option("--workers", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes routing events (order is kept); 0: one per core for inputs "
                   "of 4 MiB and more.")
@click.option("--quiet", is_flag=True, help="No progress or notices on stderr.")
def redact(source: str, out_dir: str, policy_path: str | None, consent_path: str | None,
           key_file: str | None, deadletter_raw: bool, data_keys_path: str | None,
           workers: int, quiet: bool) -> None:
    """Run the privacy engine over JSONL from FILE (or stdin) without Kafka."""
    if source != "-" and not os.access(source, os.R_OK):
        raise click.ClickException(f"{source}: cannot read (missing or not readable)")
    check_paths(source, Path(out_dir), data_keys_path)
    consent = read_consent(consent_path) if consent_path else {}
    run_key = os.urandom(32)  # per-subject data keys derive from it and die with the run
    try:
        engine = load_engine(policy_path, SubjectKeys(run_key), os.environ,
                             key_file=key_file, allow_ephemeral=True)
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet and engine.pseudonym_keys.ephemeral:
        click.echo("logwarden redact: no pseudonym keys given: using an ephemeral key, so "
                   "pseudonyms match nothing outside this run", err=True)
    if not quiet and data_keys_path is None:
        click.echo("logwarden redact: identifiable records are sealed under per-subject keys "
                   "that live only for this run (--data-keys FILE keeps them)", err=True)
    processes = _workers_for(source, workers)
    limit = engine.policy.max_event_bytes
    outputs = _Outputs(Path(out_dir))
    subjects: set[str] = set()
    bar = LineProgress(_plain_size(source), enabled=False if quiet else None)  # TTY only
    lines = bar.count_bytes(_lines(source, limit))
    try:
        if processes <= 1:
            routed: Iterator[_Routed] = (
                route_line(engine, consent, number, raw, deadletter_raw)
                for chunk in _chunks(lines, 1024) for number, raw in chunk)
            with bar:
                routes, categories = run(routed, outputs, subjects=subjects, bar=bar)
        else:
            with multiprocessing.get_context("fork").Pool(
                    processes, initializer=_start_worker,
                    initargs=(policy_path, engine.pseudonym_keys, run_key, consent,
                              deadletter_raw)) as pool:
                routed = _routed_in_order(pool, _chunks(lines, _CHUNK_LINES), processes + 1)
                with bar:
                    routes, categories = run(routed, outputs, subjects=subjects, bar=bar)
    finally:
        outputs.close()
    if data_keys_path is not None:
        derive = SubjectKeys(run_key)
        save_data_keys([(subject, derive.get_or_create(subject)) for subject in
                        sorted(subjects)], data_keys_path)
    total = sum(routes[o.value] for o in Outcome)
    click.echo(f"events: {total}")
    for outcome in Outcome:
        click.echo(f"  {outcome.value}: {routes[outcome.value]}")
        for key in sorted(k for k in routes if k.startswith(f"{outcome.value}:")):
            click.echo(f"    {key.split(':', 1)[1]}: {routes[key]}")
    click.echo("categories (events):")
    for category, count in sorted(categories.items()):
        click.echo(f"  {category}: {count}")
