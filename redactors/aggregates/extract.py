"""Which keys one analytics record contributes to, per metric (before any bound)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redactors.aggregates.spec import AggregatePlan, MetricSpec

__all__ = ["MAX_KEY_CHARS", "contributions_of", "key_of"]

MAX_KEY_CHARS = 200  # a longer private key is cut: keys are labels, not payloads


def _at(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for part in path:
        if type(value) is not dict:  # records are plain dicts; an ABC check costs µs here
            return None
        value = value.get(part)
    return value


def key_of(metric: MetricSpec, record: Mapping[str, Any],
           public: frozenset[str] | None) -> str | None:
    """The metric's key in a de-identified analytics record, or None when it has none."""
    for path in metric.key_paths:
        value = _at(record, path)
        if isinstance(value, str) and value:
            break
    else:
        return None
    if metric.key_form == "path":
        value = value.split("?", 1)[0].split("#", 1)[0] or "/"
    if public is None:
        return value[:MAX_KEY_CHARS]
    return value if value in public else metric.other_key


def contributions_of(plan: AggregatePlan, record: Mapping[str, Any], tier: str,
                     public: tuple[frozenset[str] | None, ...]) -> list[str | None]:
    """One entry per metric of `plan`: the key this record counts for, or None.

    Only the consent tiers the plan names contribute; `public` holds each metric's
    listed keys as a set (None for private keys)."""
    if tier not in plan.tiers:
        return [None] * len(plan.metrics)
    event = record.get("event")
    out: list[str | None] = []
    for metric, listed in zip(plan.metrics, public, strict=True):
        if metric.events and event not in metric.events:
            out.append(None)
        else:
            out.append(key_of(metric, record, listed))
    return out
