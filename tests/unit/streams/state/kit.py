"""What the state tests share: a settable clock, and damage done to a store's files."""

from __future__ import annotations

import os
from pathlib import Path

NOW = 1_800_000_000.0
HOUR = 3600.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def damage(path: Path, change: str) -> bool:
    """Spoil the LMDB files at `path` as `change` says; False for another change."""
    if change == "garbage":
        (path / "data.mdb").write_bytes(os.urandom(64 * 1024))
    elif change == "truncated":
        (path / "data.mdb").write_bytes(b"")
    elif change == "missing":
        for f in path.iterdir():
            f.unlink()
    else:
        return False
    return True
