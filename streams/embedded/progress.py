"""Progress on long CLI work: a rich bar on a terminal, nothing when stderr is not one."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)

__all__ = ["LineProgress"]

_REFRESH_SECONDS = 0.25


class LineProgress:
    """Bytes read (against the file's size when known), events, events/s and per-route
    counts. Route names and counts only: never a value from the input."""

    def __init__(self, total_bytes: int | None, *, label: str = "events",
                 stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        stream = sys.stderr if stream is None else stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.bytes_read = self.events = 0
        self._label, self._last, self._started = label, 0.0, time.monotonic()
        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
            console=Console(file=stream, force_terminal=self.enabled), transient=False,
            disable=not self.enabled)
        self._task = self._progress.add_task("redact", total=total_bytes, counts="")

    def __enter__(self) -> LineProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def count_bytes(self, lines: Iterator[bytes]) -> Iterator[bytes]:
        """Pass `lines` through, counting their bytes (and the newline each lost)."""
        for line in lines:
            self.bytes_read += len(line) + 1
            yield line

    def update(self, events: int, routes: Mapping[str, int], *, force: bool = False) -> None:
        self.events = events
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last < _REFRESH_SECONDS):
            return
        self._last = now
        rate = events / max(now - self._started, 1e-9)
        shown = "  ".join(f"{route} {n:,}" for route, n in sorted(routes.items())
                          if ":" not in route)
        self._progress.update(self._task, completed=self.bytes_read,
                              counts=f"{events:,} {self._label} ({rate:,.0f}/s)  {shown}")
