"""One pass over a text that says which detectors could possibly match it."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import cast

from redactors.detectors.base import Detector

__all__ = ["HAVE_HYPERSCAN", "Prefilter"]

_WIDE_REPEAT = re.compile(r"\{(\d+),(\d+)\}")
_PY_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")  # `\u00a0` is `\x{a0}` to hyperscan

try:  # hyperscan is the fast path; `re` keeps the scanner working where it will not build
    import hyperscan

    HAVE_HYPERSCAN = True
except ImportError:  # pragma: no cover - exercised only on platforms without hyperscan
    HAVE_HYPERSCAN = False


class Prefilter:
    """Compiles every detector's hint into one hyperscan database (or one `re` alternation)."""

    def __init__(self, detectors: Sequence[Detector], *, use_hyperscan: bool = True) -> None:
        self._count = len(detectors)
        self._local = threading.local()  # hyperscan scratch space is per thread
        self._database: hyperscan.Database | None = None
        self._alternation: re.Pattern[str] | None = None
        if not detectors:
            return
        if use_hyperscan and HAVE_HYPERSCAN:
            self._database = _compile_hyperscan(tuple(detectors))
        else:
            self._alternation = re.compile("|".join(_scoped(d) for d in detectors))

    def candidates(self, text: str) -> list[int]:
        """Indexes of the detectors whose hint matches `text`, in detector order."""
        if self._database is not None:
            return self._scan_hyperscan(self._database, text)
        if self._alternation is not None and self._alternation.search(text):
            return list(range(self._count))  # the alternation cannot say which; try all
        return []

    def _scan_hyperscan(self, database: hyperscan.Database, text: str) -> list[int]:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = hyperscan.Scratch(database)
            self._local.scratch = scratch
        hits: list[int] = []
        data = text.encode("utf-8", "replace")  # lone surrogates become `?`: still valid UTF-8
        database.scan(data, match_event_handler=_collect, context=hits, scratch=scratch)
        hits.sort()
        return hits


def _scoped(detector: Detector) -> str:
    """A hint as one alternation branch; a leading `(?i)` becomes a scoped `(?i:...)`."""
    hint = detector.hint
    if hint.startswith("(?i)"):
        return f"(?i:{hint[4:]})"
    return f"(?i:{hint})" if detector.ignore_case else f"(?:{hint})"


def _collect(index: int, _start: int, _end: int, _flags: int, hits: object) -> None:
    """Hyperscan's match callback: note which detector's expression matched."""
    cast("list[int]", hits).append(index)


def _hyperscan_expression(detector: Detector, flags: int) -> tuple[bytes, int]:
    """The detector's own pattern in prefilter mode when hyperscan takes it, else its hint.

    The pattern is far more selective than the hint: most texts then need no regex at all.
    """
    if detector.ignore_case:
        flags |= hyperscan.HS_FLAG_CASELESS
    pattern = _PY_UNICODE_ESCAPE.sub(lambda m: "\\x{" + m[1] + "}", detector.pattern)
    # Wide bounded repeats blow up hyperscan's compile; unbounded is a superset and cheap.
    pattern = _WIDE_REPEAT.sub(lambda m: m[0] if int(m[2]) <= 64 else "{" + m[1] + ",}", pattern)
    try:
        hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK).compile(
            expressions=[pattern.encode("utf-8")], ids=[0], elements=1, flags=[flags]
        )
    except hyperscan.error:
        return detector.hint.encode("utf-8"), flags
    return pattern.encode("utf-8"), flags


@lru_cache(maxsize=8)  # compiling takes about half a second; scanners share a database
def _compile_hyperscan(detectors: tuple[Detector, ...]) -> hyperscan.Database:
    flags = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8
    expressions = [_hyperscan_expression(d, flags) for d in detectors]
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(
            expressions=[e for e, _ in expressions],
            ids=list(range(len(detectors))),
            elements=len(detectors),
            flags=[f for _, f in expressions],
        )
    except hyperscan.error as exc:
        raise ValueError(f"a detector hint does not compile for hyperscan: {exc}") from exc
    return database
