"""Where `logwarden redact` writes: the three route files and the optional data-key file."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import IO

from redactors import codec
from redactors.errors import LogwardenError

__all__ = ["OutputError", "RouteFiles", "check_paths", "save_data_keys"]

_ROUTE_FILES = ("analytics.jsonl", "identifiable.jsonl", "deadletter.jsonl")
_OWNER_ONLY = 0o600


class OutputError(LogwardenError):
    """An output cannot be written, or would overwrite the input."""


def _owner_only(path: Path) -> IO[bytes]:
    """`path` truncated for writing, mode 0600 whether it is new or already existed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _OWNER_ONLY)
    try:
        os.fchmod(fd, _OWNER_ONLY)  # O_CREAT's mode applies only to a new file
    except OSError:
        os.close(fd)
        raise
    return os.fdopen(fd, "wb")


def save_data_keys(keys: list[tuple[str, bytes]], path: str) -> None:
    """One `{"subject_id": ..., "key": base64}` per line, readable by the owner only."""
    lines = b"".join(codec.dumps({"subject_id": s, "key": base64.b64encode(k).decode()})
                     + b"\n" for s, k in keys)
    try:
        with _owner_only(Path(path)) as handle:
            handle.write(lines)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None


def check_paths(source: str, out: Path, data_keys: str | None) -> None:
    """Refuse a run that would overwrite its own input (or write keys over an output)."""
    written = [out.resolve() / name for name in _ROUTE_FILES]
    if source != "-":
        input_path = Path(source).resolve()
        if input_path.is_relative_to(out.resolve()):
            raise OutputError(
                f"{source}: the input is inside the output directory {out}; choose another")
        written.append(input_path)
    if data_keys is not None and Path(data_keys).resolve() in written:
        raise OutputError(f"{data_keys}: --data-keys would overwrite the input or a route file")


class RouteFiles:
    """The three route files in the output directory; the dead letters may hold raw input,
    so they are readable by the owner only."""

    def __init__(self, out: Path) -> None:
        try:
            out.mkdir(parents=True, exist_ok=True)
            self.analytics = open(out / "analytics.jsonl", "wb")  # noqa: SIM115
            self.identifiable = open(out / "identifiable.jsonl", "wb")  # noqa: SIM115
            self.deadletter = _owner_only(out / "deadletter.jsonl")
        except OSError as exc:
            raise OutputError(f"{out}: cannot write ({exc.strerror})") from None

    def close(self) -> None:
        """Close the three files."""
        for handle in (self.analytics, self.identifiable, self.deadletter):
            handle.close()
