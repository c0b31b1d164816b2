"""The per-event CPU budget: this thread's CPU time on one event, less garbage collection."""

from __future__ import annotations

import gc
import threading
from time import thread_time_ns
from typing import Any

__all__ = ["CpuBudget"]


class _CollectorClock:
    """CPU time each thread spent in full (generation 2) collections. A full collection
    of a large heap takes 100 ms and more, and it belongs to no event: without this, it
    would push whichever event triggered it over the budget."""

    def __init__(self) -> None:
        self.spent_ns: dict[int, int] = {}  # thread id -> ns in full collections
        self._started: dict[int, int] = {}

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:  # young collections are short
            return
        thread = threading.get_ident()
        if phase == "start":
            self._started[thread] = thread_time_ns()
        elif (began := self._started.pop(thread, None)) is not None:
            self.spent_ns[thread] = self.spent_ns.get(thread, 0) + thread_time_ns() - began


_CLOCK = _CollectorClock()
_INSTALL = threading.Lock()


class CpuBudget:
    """`start()` before an event, `exceeded(token)` after it."""

    def __init__(self, budget_ms: float) -> None:
        self._budget_ns = int(budget_ms * 1_000_000)
        with _INSTALL:  # once per process, when the first engine is built (not at import)
            if _CLOCK not in gc.callbacks:
                gc.callbacks.append(_CLOCK)

    @staticmethod
    def start() -> int:
        return thread_time_ns() - _CLOCK.spent_ns.get(threading.get_ident(), 0)

    def exceeded(self, started: int) -> bool:
        return self.start() - started > self._budget_ns
