"""The recent window of analytics records' quasi-identifier classes, for the worker's risk
metrics and for suppression on the stream.

Bounded: at most `max_records` entries, none older than `window_seconds`. It holds class
keys (already generalized values) and subject tokens (keyed hashes from the caller),
never a raw id. Suppression: a record whose class has had fewer than k distinct subjects
in the window, itself included, has its first generalizable quasi-identifier removed
(city, then region, then browser major: one level) before it is written.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, MutableMapping
from typing import Any

from redactors.risk import ANONYMOUS, QuasiSpec, RiskReport, measure

__all__ = ["RiskWindow"]

ClassKey = tuple[str | None, ...]


class RiskWindow:
    """Observe analytics records in order; `report()` measures what was written."""

    def __init__(self, spec: QuasiSpec, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.spec = spec
        self._clock = clock
        self._k = spec.k
        names = spec.names
        self._generalize = tuple(names.index(name) for name in spec.generalize)
        # (time, class as seen, class as written, subject token)
        self._entries: deque[tuple[float, ClassKey, ClassKey, str]] = deque()
        self._members: dict[ClassKey, Counter[str]] = {}
        self.observed = 0
        self.generalized: Counter[str] = Counter()  # QI name -> values generalized

    def __len__(self) -> int:
        return len(self._entries)

    def observe(self, record: MutableMapping[str, Any], subject: str | None) -> None:
        """Count one analytics record (and generalize it first when suppression is on)."""
        values, found_at = self.spec.locate(record)
        token = subject or ANONYMOUS
        now = self._clock()
        self._expire(now)
        members = self._members.get(values)
        if members is None:
            members = self._members[values] = Counter()
        members[token] += 1
        written = values
        if self.spec.suppression and len(members) < self._k:
            written = self._generalize_one(record, values, found_at)
        self._entries.append((now, values, written, token))
        self.observed += 1

    def _generalize_one(self, record: MutableMapping[str, Any], values: ClassKey,
                        found_at: tuple[str | None, ...]) -> ClassKey:
        for at in self._generalize:
            path = found_at[at]
            if path is not None and _remove(record, path):
                self.generalized[self.spec.names[at]] += 1
                return (*values[:at], None, *values[at + 1:])
        return values

    def _expire(self, now: float) -> None:
        entries = self._entries
        oldest = now - self.spec.window_seconds
        while entries and (entries[0][0] < oldest or len(entries) >= self.spec.max_records):
            self._drop(entries.popleft())

    def _drop(self, entry: tuple[float, ClassKey, ClassKey, str]) -> None:
        _, values, _, token = entry
        members = self._members[values]
        members[token] -= 1
        if members[token] <= 0:
            del members[token]
            if not members:
                del self._members[values]

    def forget(self, is_gone: Callable[[str], bool]) -> int:
        """Remove every entry of the subjects `is_gone` names (erased); how many went."""
        kept: deque[tuple[float, ClassKey, ClassKey, str]] = deque()
        removed = 0
        for entry in self._entries:
            if entry[3] != ANONYMOUS and is_gone(entry[3]):
                self._drop(entry)
                removed += 1
            else:
                kept.append(entry)
        self._entries = kept
        return removed

    def report(self) -> RiskReport:
        """k-anonymity of the records as written in the current window."""
        self._expire(self._clock())
        return measure(((written, token) for _, _, written, token in self._entries),
                       self.spec.names, k=self._k)


def _remove(record: MutableMapping[str, Any], path: str) -> bool:
    """Delete the value at a dotted path (a literal dotted key first)."""
    if path in record:
        del record[path]
        return True
    *parents, last = path.split(".")
    node: Any = record
    for key in parents:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    return False
