"""Input lines for `logwarden redact`: a file (plain or gzip) or stdin, each line bounded."""

from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Callable, Iterator

from redactors.errors import LogwardenError

__all__ = ["InputError", "chunks", "input_lines", "plain_size"]

_SKIP_BYTES = 1 << 16  # the rest of a too-long line is read and dropped in pieces this big
# A batch of lines holds at most this many bytes (plus its last line): memory is bounded by
# bytes, not lines.
_CHUNK_BYTES = 2 << 20


class InputError(LogwardenError):
    """The input cannot be read (missing, unreadable, a truncated or corrupt .gz)."""


def plain_size(source: str) -> int | None:
    """A progress bar's total: a plain file's size; unknown for stdin, gzip or a file that
    cannot be opened (the run reports that one)."""
    if source == "-":
        return None
    try:
        with open(source, "rb") as handle:
            return None if handle.read(2) == b"\x1f\x8b" else os.fstat(handle.fileno()).st_size
    except OSError:
        return None


def _bounded_lines(readline: Callable[[int], bytes], limit: int) -> Iterator[bytes]:
    """The lines `readline` gives, each cut at `limit` + 1 bytes: a longer line is never
    held whole (its first `limit` + 1 bytes are enough for the engine to call it too_large)."""
    while line := readline(limit + 2):
        if len(line) == limit + 2 and not line.endswith(b"\n"):
            while (rest := readline(_SKIP_BYTES)) and not rest.endswith(b"\n"):
                pass
            line = line[: limit + 1]
        yield line


def input_lines(source: str, limit: int) -> Iterator[bytes]:
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
        raise InputError(f"{source}: cannot read ({reason})") from None


def chunks(lines: Iterator[bytes], size: int,
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
