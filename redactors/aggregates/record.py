"""The record released to analytics.aggregates (schemas/aggregate-release.schema.json)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from redactors.aggregates.release import MetricRelease

__all__ = ["SCHEMA", "release_record"]

SCHEMA = "logwarden.aggregate-release/1"


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def release_record(release: MetricRelease, start: int, noisy: Mapping[str, int], *,
                   released_at: float, policy: str) -> dict[str, Any]:
    """One metric's window as released: noisy counts and what they cost per user."""
    spec = release.spec
    return {
        "schema": SCHEMA,
        "metric": spec.name,
        "description": spec.description,
        "window": {"start": _rfc3339(start), "end": _rfc3339(start + spec.window_seconds),
                   "seconds": spec.window_seconds},
        "released_at": _rfc3339(released_at),
        "policy": policy,
        "keys": "private" if spec.public_keys is None else "public",
        "mechanism": release.mechanism,
        "scale": release.scale,
        "threshold": release.threshold,
        "max_keys_per_user": spec.max_keys_per_user,
        "epsilon": release.epsilon,
        "delta": release.delta,
        "counts": dict(sorted(noisy.items())),
    }
