"""Erased subjects leave the risk window: their keyed hashes are the suppression list's
keys, so a purge needs no id."""

from __future__ import annotations

import logging
from typing import Protocol

from redactors.kwindow import RiskWindow

__all__ = ["ERASED_PURGE_INTERVAL", "ErasedPurge"]

log = logging.getLogger(__name__)


class Listed(Protocol):
    """The suppression list as the purge sees it (streams.suppression_view)."""

    def __contains__(self, subject_hash: object) -> bool: ...

    def __len__(self) -> int: ...

ERASED_PURGE_INTERVAL = 5.0  # seconds; the router also drops an erased subject's events


class ErasedPurge:
    """An app timer: when the suppression list has grown, remove its subjects' entries."""

    def __init__(self, window: RiskWindow, suppressed: Listed) -> None:
        self._window = window
        self._suppressed = suppressed
        self._seen = 0

    async def __call__(self) -> None:
        try:
            size = len(self._suppressed)
            if size != self._seen:
                removed = self._window.forget(lambda token: token in self._suppressed)
                self._seen = size
                if removed:
                    log.info("erased subjects left the risk window", extra={"entries": removed})
        except Exception as exc:  # a table mid-rebalance must not kill the timer
            log.warning("risk window purge failed: %s", type(exc).__name__)
