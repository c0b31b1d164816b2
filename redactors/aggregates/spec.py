"""The `aggregates` section of a policy: DP metrics, their bounds and the budget they spend."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from redactors.aggregates.public_keys import PUBLIC_KEY_LISTS

__all__ = [
    "DAY_SECONDS",
    "NO_AGGREGATES",
    "AggregatePlan",
    "Budget",
    "MetricSpec",
    "aggregate_problems",
    "plan_from_document",
]

DAY_SECONDS = 86_400
#: consent tiers that contribute unless the policy names others; erased and child never do
DEFAULT_TIERS = ("full", "analytics_only")
_CONTRIBUTING = frozenset(DEFAULT_TIERS)


@dataclass(frozen=True, kw_only=True, slots=True)
class Budget:
    """The privacy loss a user may suffer per day, over every metric together."""

    epsilon_per_user_day: float = 1.0
    delta_per_metric_day: float = 1e-8


@dataclass(frozen=True, kw_only=True, slots=True)
class MetricSpec:
    """One DP metric: distinct users per key per window, each user in at most L0 keys."""

    name: str
    description: str
    key_paths: tuple[tuple[str, ...], ...]  # analytics-record paths tried in order
    key_form: str  # "value" or "path" (a URL with its query cut)
    events: frozenset[str]  # event types that count; empty: all
    window_seconds: int
    grace_seconds: int
    max_keys_per_user: int  # L0; each key counted once per user (Linf = 1)
    epsilon: float  # per window
    mechanism: str  # "laplace" or "gaussian"
    public_keys: tuple[str, ...] | None  # None: private keys (thresholded)
    other_key: str | None  # public keys: where unlisted values go (None: dropped)
    delta: float  # per window; 0 for public keys

    @property
    def windows_per_day(self) -> int:
        return max(1, math.ceil(DAY_SECONDS / self.window_seconds))

    @property
    def epsilon_per_day(self) -> float:
        """Windows compose: a user may contribute to every window of a day."""
        return self.epsilon * self.windows_per_day

    @property
    def delta_per_day(self) -> float:
        return self.delta * self.windows_per_day


@dataclass(frozen=True, kw_only=True, slots=True)
class AggregatePlan:
    """Every metric of a policy and the budget they must fit."""

    budget: Budget
    tiers: frozenset[str]
    metrics: tuple[MetricSpec, ...]

    @property
    def epsilon_per_user_day(self) -> float:
        return sum(m.epsilon_per_day for m in self.metrics)


NO_AGGREGATES = AggregatePlan(budget=Budget(), tiers=_CONTRIBUTING, metrics=())


def _metric(name: str, spec: Mapping[str, Any]) -> MetricSpec:
    keys = spec["keys"]
    public = None if keys == "private" else PUBLIC_KEY_LISTS.get(keys, tuple(keys))
    source = spec["key"]
    paths = source["paths"] if isinstance(source, Mapping) else [source]
    return MetricSpec(
        name=name,
        description=str(spec.get("description", "")),
        key_paths=tuple(tuple(str(p).split(".")) for p in paths),
        key_form=str(source.get("form", "value")) if isinstance(source, Mapping) else "value",
        events=frozenset(spec.get("events", ())),
        window_seconds=int(spec["window_seconds"]),
        grace_seconds=int(spec.get("grace_seconds", 0)),
        max_keys_per_user=int(spec["max_keys_per_user"]),
        epsilon=float(spec["epsilon"]),
        mechanism=str(spec.get("mechanism", "laplace")),
        public_keys=public,
        other_key=spec.get("other_key"),
        delta=0.0 if public is not None else float(spec["delta"]),
    )


def plan_from_document(doc: Mapping[str, Any]) -> AggregatePlan:
    """The plan of an already checked policy document (no section: no metrics)."""
    section = doc.get("aggregates")
    if not section:
        return NO_AGGREGATES
    budget = section.get("budget", {})
    return AggregatePlan(
        budget=Budget(
            epsilon_per_user_day=float(budget.get("epsilon_per_user_day", 1.0)),
            delta_per_metric_day=float(budget.get("delta_per_metric_day", 1e-8))),
        tiers=frozenset(section.get("tiers", DEFAULT_TIERS)),
        metrics=tuple(_metric(n, s) for n, s in section.get("metrics", {}).items()))


def aggregate_problems(doc: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """What the schema cannot say: key lists, tiers, the budget. (path, reason) pairs."""
    section = doc.get("aggregates")
    if not section:
        return
    shape = list(_shape_problems(section))
    yield from shape
    if not shape:
        yield from _budget_problems(plan_from_document(doc))


def _shape_problems(section: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str]]:
    for index, tier in enumerate(section.get("tiers", ())):
        if tier not in _CONTRIBUTING:
            yield ("aggregates", "tiers", index), f"tier {tier!r} may not contribute"
    for name, spec in section.get("metrics", {}).items():
        where = ("aggregates", "metrics", name)
        keys = spec["keys"]
        if isinstance(keys, str) and keys != "private" and keys not in PUBLIC_KEY_LISTS:
            yield (*where, "keys"), f"unknown key list {keys!r}"
        if keys == "private" and "delta" not in spec:
            yield (*where, "delta"), "private keys need a delta for their threshold"
        if keys != "private" and spec.get("mechanism") == "gaussian":
            yield (*where, "mechanism"), "gaussian applies to private keys only"
        if keys == "private" and "other_key" in spec:
            yield (*where, "other_key"), "other_key applies to public keys only"
        other = spec.get("other_key")
        if other is not None and keys != "private":
            listed = PUBLIC_KEY_LISTS.get(keys, keys) if isinstance(keys, str) else keys
            if other not in listed:
                yield (*where, "other_key"), f"{other!r} is not in the key list"


def _budget_problems(plan: AggregatePlan) -> Iterator[tuple[tuple[Any, ...], str]]:
    if plan.epsilon_per_user_day > plan.budget.epsilon_per_user_day + 1e-12:
        yield (("aggregates", "metrics"),
               f"metrics spend epsilon {plan.epsilon_per_user_day:g} per user-day, over the "
               f"budget of {plan.budget.epsilon_per_user_day:g}")
    for metric in plan.metrics:
        if metric.delta_per_day > plan.budget.delta_per_metric_day * (1 + 1e-9):
            yield (("aggregates", "metrics", metric.name, "delta"),
                   f"delta {metric.delta_per_day:g} per day over the budget of "
                   f"{plan.budget.delta_per_metric_day:g} per metric")
