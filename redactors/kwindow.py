"""The recent window of analytics records' quasi-identifier classes, for the worker's risk
metrics and for suppression on the stream.

Bounded: at most `max_records` entries, none older than `window_seconds`. It holds class
keys (already generalized values) and subject tokens (keyed hashes from the caller),
never a raw id. Suppression: a record whose class has had fewer than k distinct subjects
in the window, itself included, has its first generalizable quasi-identifier removed
(city, then region, then browser major) before it is written; with `levels` above 1 the
next one too, while the class it would be written in still has fewer than k.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable, MutableMapping
from typing import Any

from redactors.risk import ANONYMOUS, Locator, QuasiSpec, RiskReport, measure_classes

__all__ = ["RiskWindow"]

ClassKey = tuple[str | None, ...]


class RiskWindow:
    """Observe analytics records in order; `report()` measures what was written."""

    def __init__(self, spec: QuasiSpec, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.spec = spec
        self._clock = clock
        self._k = spec.k
        self._locate = Locator(spec)
        self._names = names = spec.names
        self._generalize_at = tuple(names.index(name) for name in spec.generalize)
        # (time, class as seen, class as written, subject token)
        self._entries: deque[tuple[float, ClassKey, ClassKey, str]] = deque()
        self._members: dict[ClassKey, Counter[str]] = {}  # by class as seen
        # by class as written: the same counts when nothing is generalized
        self._written: dict[ClassKey, Counter[str]] = (
            {} if spec.suppression else self._members)
        self.observed = 0
        self.generalized: Counter[str] = Counter()  # QI name -> values generalized
        self.records_generalized = 0

    def __len__(self) -> int:
        return len(self._entries)

    def observe(self, record: MutableMapping[str, Any], subject: str | None) -> None:
        """Count one analytics record (and generalize it first when suppression is on)."""
        values = self._locate(record)
        token = subject or ANONYMOUS
        now = self._clock()
        self._expire(now)
        members = _counter(self._members, values)
        members[token] += 1
        written = values
        if self.spec.suppression:
            if len(members) < self._k:
                written = self._generalize(record, values, token)
                self.records_generalized += written is not values
            _counter(self._written, written)[token] += 1
        self._entries.append((now, values, written, token))
        self.observed += 1

    def _generalize(self, record: MutableMapping[str, Any], values: ClassKey,
                    token: str) -> ClassKey:
        written, levels = values, 0
        for at in self._generalize_at:
            if values[at] is None:
                continue
            path = self._locate.path(record, at)
            if path is None or not _remove(record, path):
                continue
            self.generalized[self._names[at]] += 1
            written = (*written[:at], None, *written[at + 1:])
            levels += 1
            if levels >= self.spec.levels:
                break
            there = self._written.get(written)
            if there is not None and len(there) + (token not in there) >= self._k:
                break
        return written

    def _expire(self, now: float) -> None:
        entries = self._entries
        oldest = now - self.spec.window_seconds
        while entries and (entries[0][0] < oldest or len(entries) >= self.spec.max_records):
            self._drop(entries.popleft())

    def _drop(self, entry: tuple[float, ClassKey, ClassKey, str]) -> None:
        _, values, written, token = entry
        _uncount(self._members, values, token)
        if self.spec.suppression:
            _uncount(self._written, written, token)

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
        return measure_classes(self._written, self.spec.names, k=self._k)


def _counter(classes: dict[ClassKey, Counter[str]], key: ClassKey) -> Counter[str]:
    found = classes.get(key)
    if found is None:
        found = classes[key] = Counter()
    return found


def _uncount(classes: dict[ClassKey, Counter[str]], key: ClassKey, token: str) -> None:
    members = classes[key]
    members[token] -= 1
    if members[token] <= 0:
        del members[token]
        if not members:
            del classes[key]


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
