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
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ANONYMOUS",
    "K_LEVELS",
    "SIZE_BUCKETS",
    "Locator",
    "QuasiSpec",
    "RiskReport",
    "measure",
    "measure_classes",
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
    generalize: tuple[str, ...] = ()  # names, tried in order when a class is below k
    levels: int = 1  # how many of them one record may lose
    _split: tuple[tuple[tuple[str, str, tuple[str, ...]], ...], ...] = field(
        init=False, repr=False, compare=False)
    _subject_split: tuple[tuple[str, str, tuple[str, ...]], ...] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Each dotted path split once: a record is located on the data plane's hot path.
        object.__setattr__(self, "_split", tuple(_split(paths) for _, paths in self.fields))
        object.__setattr__(self, "_subject_split", _split(self.subject_paths))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.fields)

    def locate(self, record: Mapping[str, Any]) -> tuple[tuple[str | None, ...],
                                                         tuple[str | None, ...]]:
        """(the value of each quasi-identifier or None, the path it was found at)."""
        values: list[str | None] = []
        found_at: list[str | None] = []
        for paths in self._split:
            where, value = _first(record, paths)
            values.append(None if value is None else _text(value))
            found_at.append(where)
        return tuple(values), tuple(found_at)

    def class_of(self, record: Mapping[str, Any]) -> ClassKey:
        return self.locate(record)[0]

    def subject_of(self, record: Mapping[str, Any]) -> str:
        for path in self._subject_split:
            value = _first(record, (path,))[1]
            if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
                return str(value)
        return ANONYMOUS


class Locator:
    """`QuasiSpec.locate` for the hot path: the paths that can be present are chosen once
    per set of top-level keys (records of one service share it), so a record costs about
    one dictionary walk per quasi-identifier."""

    _SHAPES = 1024  # top-level key sets remembered; keys are attacker-controlled

    def __init__(self, spec: QuasiSpec) -> None:
        self._split = spec._split
        self._shapes: dict[tuple[str, ...], tuple[Any, ...]] = {}

    def _plan(self, record: Mapping[str, Any]) -> tuple[Any, ...]:
        shape = tuple(record)
        plan = self._shapes.get(shape)
        if plan is None:
            keys = frozenset(shape)
            plan = tuple(tuple(p for p in paths if p[1] in keys or p[0] in keys)
                         for paths in self._split)
            if len(self._shapes) >= self._SHAPES:
                self._shapes.clear()
            self._shapes[shape] = plan
        return plan

    def path(self, record: Mapping[str, Any], at: int) -> str | None:
        """Where the `at`-th quasi-identifier was found (`QuasiSpec.locate`'s second half,
        for one of them: suppression asks only for the ones it may remove)."""
        return _first(record, self._plan(record)[at])[0]

    def __call__(self, record: Mapping[str, Any]) -> ClassKey:
        """The value of each quasi-identifier, or None (`QuasiSpec.locate`'s first half)."""
        plan = self._plan(record)
        get = record.get
        values: list[str | None] = []
        for paths in plan:
            node: Any = None
            for dotted, first, rest in paths:  # _first, inlined: this runs per record
                node = get(first)
                if rest:
                    for key in rest:
                        if type(node) is not dict:
                            node = None
                            break
                        node = node.get(key)
                    if node is None:
                        node = get(dotted)
                if node is not None:
                    break
            if node is None or (type(node) is str and len(node) <= _VALUE_MAX):
                values.append(node)
            else:
                values.append(_text(node))
        return tuple(values)


def _split(paths: tuple[str, ...]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple((path, first, tuple(rest)) for path in paths
                 for first, *rest in [path.split(".")])


def _first(record: Mapping[str, Any], paths: tuple[tuple[str, str, tuple[str, ...]], ...],
           ) -> tuple[str | None, Any]:
    """The first path with a value: (its dotted form, the value), or (None, None). A
    literal dotted key counts too (`headers.Accept-Language` written flat)."""
    get = record.get
    for dotted, first, rest in paths:
        node: Any = get(first)
        if rest:
            for key in rest:
                if type(node) is not dict:
                    node = None
                    break
                node = node.get(key)
            if node is None:
                node = get(dotted)
        if node is not None:
            return dotted, node
    return None, None


def _text(value: Any) -> str:
    text = value if type(value) is str else repr(value)
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


def measure(rows: Iterable[tuple[ClassKey, str]], names: Sequence[str], *,
            k_levels: Sequence[int] = K_LEVELS, k: int = 5) -> RiskReport:
    """The report for (class key, subject token) rows."""
    classes: dict[ClassKey, Counter[str]] = defaultdict(Counter)
    for key, subject in rows:
        classes[key][subject] += 1
    return measure_classes(classes, names, k_levels=k_levels, k=k)


def _records_below(classes: Mapping[ClassKey, Counter[str]], names: Sequence[str],
                   left_out: int, k: int) -> int:
    """Records in classes smaller than k once quasi-identifier `left_out` is ignored."""
    merged: defaultdict[ClassKey, set[str]] = defaultdict(set)
    records: Counter[ClassKey] = Counter()
    for key, members in classes.items():
        coarser = key[:left_out] + key[left_out + 1:]
        merged[coarser].update(members)
        records[coarser] += sum(members.values())
    return sum(count for key, count in records.items() if len(merged[key]) < k)


def measure_classes(classes: Mapping[ClassKey, Counter[str]], names: Sequence[str], *,
                    k_levels: Sequence[int] = K_LEVELS, k: int = 5) -> RiskReport:
    """The report for classes given as class key -> records per subject token."""
    levels = sorted({*k_levels, k})
    sizes = {key: len(members) for key, members in classes.items() if members}
    records = {key: sum(classes[key].values()) for key in sizes}
    records_below = {level: sum(n for key, n in records.items() if sizes[key] < level)
                     for level in levels}
    subjects_below = {level: len({subject for key, size in sizes.items() if size < level
                                  for subject in classes[key]})
                      for level in levels}
    distribution = []
    for label, low, high in SIZE_BUCKETS:
        keys = [key for key, size in sizes.items()
                if size >= low and (high is None or size <= high)]
        distribution.append((label, len(keys), sum(records[key] for key in keys)))
    live = {key: classes[key] for key in sizes}
    contribution = {name: _records_below(live, names, at, k) for at, name in enumerate(names)}
    top = None
    if contribution and records_below[k]:
        best = min(contribution.values())
        if best < records_below[k]:
            top = next(name for name in names if contribution[name] == best)
    return RiskReport(records=sum(records.values()),
                      subjects=len({subject for key in sizes for subject in classes[key]}),
                      classes=len(sizes), records_below=records_below,
                      subjects_below=subjects_below, size_distribution=distribution,
                      contribution=contribution, k=k, top_contributor=top)
