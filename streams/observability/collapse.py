"""Collapse repeated log records: the first passes, then one summary per interval.

A broker outage makes aiokafka log the same "Unable connect to node" line hundreds of
times a second; in a log pipeline, our own logs must not become the flood. Records are
grouped by logger, level and message template (`record.msg`, before its arguments), so
"node 1" and "node 2" count as one line.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

__all__ = ["SUMMARY_ATTR", "RepeatCollapser"]

SUMMARY_ATTR = "collapsed_summary"  # set on the summaries, which are never collapsed

_Key = tuple[str, int, str]


@dataclass
class _Seen:
    since: float  # start of the current interval
    suppressed: int = 0


class RepeatCollapser(logging.Filter):
    """A handler filter; `flush` (on a timer) emits the summaries of quiet templates."""

    def __init__(self, interval: float = 30.0, *, max_keys: int = 1000,
                 summary_logger: str = "streams.observability.collapse") -> None:
        super().__init__()
        if interval <= 0:
            raise ValueError("collapse interval must be positive")
        self.interval, self.max_keys = interval, max_keys
        self._summary_log = logging.getLogger(summary_logger)
        self._seen: dict[_Key, _Seen] = {}
        self._lock = threading.Lock()  # libraries log from executor threads too

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SUMMARY_ATTR, False):
            return True
        key = (record.name, record.levelno, str(record.msg))
        now = record.created
        with self._lock:
            seen = self._seen.get(key)
            if seen is None or now - seen.since >= self.interval:
                suppressed = 0 if seen is None else seen.suppressed
                if len(self._seen) >= self.max_keys and seen is None:
                    self._forget_quiet(now)
                self._seen[key] = _Seen(since=now)
                if suppressed:  # this record closes the last interval: say how many
                    record.repeated = suppressed
                return True
            seen.suppressed += 1
            return False

    def flush(self, now: float | None = None) -> int:
        """Log one summary per template whose interval ended with records suppressed;
        returns how many summaries were logged."""
        now = time.time() if now is None else now
        with self._lock:
            due = [(key, seen.suppressed) for key, seen in self._seen.items()
                   if seen.suppressed and now - seen.since >= self.interval]
            for key, _n in due:
                self._seen[key] = _Seen(since=now)
        for (name, level, template), n in due:
            self._summary_log.log(level, "repeated %d times in %.0f s: %s", n, self.interval,
                                  template, extra={SUMMARY_ATTR: True, "repeated": n,
                                                   "source_logger": name})
        return len(due)

    def _forget_quiet(self, now: float) -> None:
        """Bound memory: drop templates with nothing pending, else the oldest."""
        for key in [k for k, s in self._seen.items()
                    if not s.suppressed and now - s.since >= self.interval]:
            del self._seen[key]
        while len(self._seen) >= self.max_keys:
            del self._seen[next(iter(self._seen))]
