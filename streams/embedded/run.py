"""One `logwarden redact` run: input lines through the engine into the route files."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from redactors.consent import ConsentState
from redactors.engine import Engine, default_scanner, load_engine
from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from streams.embedded.consent_file import read_consent
from streams.embedded.lines import InputError, chunks, input_lines
from streams.embedded.outputs import RouteFiles, check_paths, save_data_keys
from streams.embedded.pool import RoutingPool
from streams.embedded.progress import LineProgress
from streams.embedded.routing import LineRouter, RoutedLine, write_routed
from streams.embedded.subject_keys import SubjectKeys

__all__ = ["redact_file"]

_CHUNK_LINES = 2048


def redact_file(source: str, out: Path, *, policy_path: str | None, consent_path: str | None,
                key_file: str | None, keep_raw: bool, data_keys_path: str | None,
                processes: int, notice: Callable[[str], None] | None,
                bar: LineProgress | None = None) -> tuple[Counter[str], Counter[str]]:
    """Route FILE (`-`: stdin) into `out`; counts per route and per category.

    Raises a LogwardenError (one line, no values) for anything the user can fix."""
    if source != "-" and not os.access(source, os.R_OK):
        raise InputError(f"{source}: cannot read (missing or not readable)")
    check_paths(source, out, data_keys_path)
    consent = read_consent(consent_path) if consent_path else {}
    run_key = os.urandom(32)  # per-subject data keys derive from it and die with the run
    engine = load_engine(policy_path, SubjectKeys(run_key), os.environ,
                         key_file=key_file, allow_ephemeral=True)
    if notice is not None and engine.pseudonym_keys.ephemeral:
        notice("no pseudonym keys given: using an ephemeral key, so "
               "pseudonyms match nothing outside this run")
    if notice is not None and data_keys_path is None:
        notice("identifiable records are sealed under per-subject keys "
               "that live only for this run (--data-keys FILE keeps them)")
    lines = input_lines(source, engine.policy.max_event_bytes)
    if bar is not None:
        lines = bar.count_bytes(lines)
    outputs = RouteFiles(out)
    subjects: set[str] = set()
    try:
        if processes <= 1:
            router = LineRouter(engine, consent, keep_raw=keep_raw)
            routed: Iterator[RoutedLine] = (
                router.route_line(number, raw)
                for chunk in chunks(lines, 1024) for number, raw in chunk)
            with bar or contextlib.nullcontext():
                counts = write_routed(routed, outputs, subjects=subjects, bar=bar)
        else:
            def make_router() -> LineRouter:  # runs in each routing process
                return _router(policy_path, engine.pseudonym_keys, run_key, consent, keep_raw)

            with RoutingPool(processes, make_router) as pool, bar or contextlib.nullcontext():
                counts = write_routed(pool.route(chunks(lines, _CHUNK_LINES)), outputs,
                                      subjects=subjects, bar=bar)
    finally:
        outputs.close()
    if data_keys_path is not None:
        derive = SubjectKeys(run_key)
        save_data_keys([(subject, derive.get_or_create(subject)) for subject in
                        sorted(subjects)], data_keys_path)
    return counts


def _router(policy_path: str | None, keyring: PseudonymKeyring, run_key: bytes,
            consent: dict[str, ConsentState], keep_raw: bool) -> LineRouter:
    """One engine for a routing process, sealing under the run's subject keys."""
    policy = load_policy(policy_path)
    engine = Engine(policy, keys=SubjectKeys(run_key), pseudonym_keys=keyring,
                    scanner=default_scanner(ner=policy.ner))
    return LineRouter(engine, consent, keep_raw=keep_raw)
