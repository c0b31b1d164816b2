"""One input line through the engine, serialized, and the routed lines written out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple, Protocol

from redactors import codec
from redactors.consent import ConsentState
from redactors.engine import Engine
from redactors.result import Outcome, RoutedResult
from streams.embedded.outputs import RouteFiles

__all__ = ["LineRouter", "Progress", "RoutedLine", "write_routed"]


class Progress(Protocol):
    """Where a run reports its progress (the command's bar): events and per-route counts."""

    def update(self, events: int, routes: Mapping[str, int], *, force: bool = False) -> None:
        ...


class RoutedLine(NamedTuple):
    """What one input line became, ready to write (and to send between processes)."""

    outcome: str
    reason: str | None
    analytics: bytes | None
    identifiable: bytes | None
    deadletter: bytes | None
    categories: tuple[str, ...]
    subject: str | None  # of the identifiable record, for --data-keys


class LineRouter:
    """The engine and the consent states of one run: numbered raw lines in, routed out."""

    def __init__(self, engine: Engine, consent: dict[str, ConsentState], *,
                 keep_raw: bool) -> None:
        self.engine = engine
        self._consent = consent
        self._keep_raw = keep_raw

    def route_line(self, number: int, raw: bytes) -> RoutedLine:
        """One line through the engine, serialized."""
        engine = self.engine
        parsed = engine.parse(raw)
        if isinstance(parsed, RoutedResult):
            result = parsed
        else:
            subject = engine.subject_of(parsed)
            result = engine.route(parsed,
                                  self._consent.get(subject) if subject is not None else None)
        dead = None
        if result.outcome is Outcome.DEADLETTER:
            record: dict[str, Any] = {"line": number, "reason": result.reason}
            if self._keep_raw:
                record["raw"] = raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")
            dead = codec.dumps(record)
        return RoutedLine(
            result.outcome.value, result.reason,
            codec.dumps(result.analytics) if result.analytics is not None else None,
            codec.dumps(result.identifiable) if result.identifiable is not None else None,
            dead, tuple(result.privacy.categories if result.privacy else ()),
            result.subject_id if result.identifiable is not None else None)

    def route_chunk(self, chunk: list[tuple[int, bytes]]) -> list[RoutedLine]:
        """A batch of numbered lines, in order."""
        return [self.route_line(number, raw) for number, raw in chunk]


def write_routed(routed: Iterator[RoutedLine], outputs: RouteFiles, *,
                 subjects: set[str],
                 bar: Progress | None = None) -> tuple[Counter[str], Counter[str]]:
    """Write every routed line; returns counts per route and per category."""
    routes: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    for count, line in enumerate(routed, 1):
        routes[line.outcome] += 1
        if line.outcome in (Outcome.DEADLETTER, Outcome.DROPPED):
            routes[f"{line.outcome}:{line.reason}"] += 1
        if line.analytics is not None:
            outputs.analytics.write(line.analytics + b"\n")
        if line.identifiable is not None:
            outputs.identifiable.write(line.identifiable + b"\n")
            if line.subject is not None:
                subjects.add(line.subject)
        if line.deadletter is not None:
            outputs.deadletter.write(line.deadletter + b"\n")
        categories.update(line.categories)
        if bar is not None and count % 256 == 0:
            bar.update(count, routes)
    if bar is not None:
        bar.update(sum(routes[o.value] for o in Outcome), routes, force=True)
    return routes, categories
