"""Re-identification risk of analytics records: k-anonymity over the policy's
quasi-identifiers.

An equivalence class is the set of records that agree on every quasi-identifier. Its
size is the number of distinct pseudonymous subjects in it (records without a
pseudonym count together as one subject: nothing tells them apart, so the measure
assumes the worst). A record is at risk when its class is smaller than k.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redactors.paths import get_path

__all__ = [
    "ANONYMOUS",
    "K_LEVELS",
    "SIZE_BUCKETS",
    "QuasiSpec",
    "RiskReport",
    "measure",
]

K_LEVELS = (2, 5, 10)
#: class-size buckets of the distribution: (label, smallest size, largest size or None)
SIZE_BUCKETS = (("1", 1, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10-99", 10, 99),
                ("100+", 100, None))
ANONYMOUS = ""  # the subject token of records without a pseudonym
_VALUE_MAX = 256  # a quasi-identifier value longer than this is cut (classes stay bounded)

ClassKey = tuple[str | None, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class QuasiSpec:
    """The policy's `quasi_identifiers`: names, where each is in an analytics record, and
    the optional suppression on the stream."""

    fields: tuple[tuple[str, tuple[str, ...]], ...]  # name -> analytics paths, first wins
    subject_paths: tuple[str, ...]  # where the pseudonym is in an analytics record
    k: int = 5
    suppression: bool = False
    window_seconds: float = 3600.0
    max_records: int = 20_000
    generalize: tuple[str, ...] = ()  # names, the first present is removed per record

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)

    def locate(self, record: Mapping[str, Any]) -> tuple[tuple[str | None, ...],
                                                         tuple[str | None, ...]]:
        """(the value of each quasi-identifier or None, the path it was found at)."""
        values: list[str | None] = []
        found_at: list[str | None] = []
        for _, paths in self.fields:
            value: Any = None
            where = None
            for path in paths:
                value = get_path(record, path)
                if value is not None:
                    where = path
                    break
            values.append(None if value is None else _text(value))
            found_at.append(where)
        return tuple(values), tuple(found_at)

    def class_of(self, record: Mapping[str, Any]) -> ClassKey:
        return self.locate(record)[0]

    def subject_of(self, record: Mapping[str, Any]) -> str:
        for path in self.subject_paths:
            value = get_path(record, path)
            if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
                return str(value)
        return ANONYMOUS


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text[:_VALUE_MAX]


@dataclass(frozen=True, kw_only=True, slots=True)
class RiskReport:
    """k-anonymity of one set of records; counts only, never a value."""

    records: int
    subjects: int  # distinct pseudonyms (records without one count as one subject)
    classes: int
    records_below: Mapping[int, int]  # k -> records in classes smaller than k
    subjects_below: Mapping[int, int]  # k -> subjects with a record in such a class
    size_distribution: Sequence[tuple[str, int, int]]  # (bucket, classes, records)
    contribution: Mapping[str, int]  # QI -> records below k once it is left out
    k: int  # the k the contribution is measured at
    top_contributor: str | None  # the QI whose removal grows classes most

    def share_records_below(self, k: int) -> float:
        return self.records_below[k] / self.records if self.records else 0.0

    def share_subjects_below(self, k: int) -> float:
        return self.subjects_below[k] / self.subjects if self.subjects else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records, "subjects": self.subjects, "classes": self.classes,
            "k": {str(k): {"records_below": self.records_below[k],
                           "share_records_below": round(self.share_records_below(k), 6),
                           "subjects_below": self.subjects_below[k],
                           "share_subjects_below": round(self.share_subjects_below(k), 6)}
                  for k in sorted(self.records_below)},
            "size_distribution": [{"size": label, "classes": classes, "records": records}
                                  for label, classes, records in self.size_distribution],
            "contribution": {"k": self.k, "records_below_without": dict(self.contribution),
                             "top": self.top_contributor},
        }


def _sizes(rows: Sequence[tuple[ClassKey, str]]) -> dict[ClassKey, int]:
    subjects: defaultdict[ClassKey, set[str]] = defaultdict(set)
    for key, subject in rows:
        subjects[key].add(subject)
    return {key: len(members) for key, members in subjects.items()}


def _below(rows: Sequence[tuple[ClassKey, str]], sizes: Mapping[ClassKey, int],
           k: int) -> int:
    return sum(1 for key, _ in rows if sizes[key] < k)


def measure(rows: Iterable[tuple[ClassKey, str]], names: Sequence[str], *,
            k_levels: Sequence[int] = K_LEVELS, k: int = 5) -> RiskReport:
    """The report for (class key, subject token) rows."""
    rows = list(rows)
    sizes = _sizes(rows)
    records_per_class = Counter(key for key, _ in rows)
    levels = sorted({*k_levels, k})
    records_below = {level: _below(rows, sizes, level) for level in levels}
    subjects_below: dict[int, int] = {}
    for level in levels:
        subjects_below[level] = len({subject for key, subject in rows if sizes[key] < level})
    distribution = []
    for label, low, high in SIZE_BUCKETS:
        keys = [key for key, size in sizes.items()
                if size >= low and (high is None or size <= high)]
        distribution.append((label, len(keys), sum(records_per_class[key] for key in keys)))
    contribution: dict[str, int] = {}
    for at, name in enumerate(names):
        without = [(key[:at] + key[at + 1:], subject) for key, subject in rows]
        contribution[name] = _below(without, _sizes(without), k)
    top = None
    if contribution and records_below[k]:
        best = min(contribution.values())
        if best < records_below[k]:
            top = next(name for name in names if contribution[name] == best)
    return RiskReport(records=len(rows), subjects=len({subject for _, subject in rows}),
                      classes=len(sizes), records_below=records_below,
                      subjects_below=subjects_below, size_distribution=distribution,
                      contribution=contribution, k=k, top_contributor=top)
