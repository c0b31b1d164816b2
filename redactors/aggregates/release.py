"""OpenDP mechanisms for one metric's window: built once, each window noised once.

OpenDP gates every measurement used here behind its "contrib" feature (the thresholded
mechanisms and the vector Laplace alike), so `enable_features("contrib")` is called when
a mechanism is built, never at import, and nothing else of contrib is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import opendp.prelude as dp

from redactors.aggregates.spec import MetricSpec

__all__ = ["MetricRelease", "smallest_threshold"]

_MAX_THRESHOLD = 1 << 30


def _contrib() -> None:
    dp.enable_features("contrib")


def _private_space() -> tuple[Any, Any]:
    return (dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T=int)),
            dp.l01inf_distance(dp.absolute_distance(T=int)))


def smallest_threshold(scale: float, l0: int, delta: float) -> int:
    """The lowest count threshold whose Laplace-threshold mechanism keeps delta at most
    `delta` for a user in `l0` keys once each (binary search on OpenDP's privacy map)."""
    _contrib()
    domain, metric = _private_space()
    low, high = 1, 2
    while _delta_at(domain, metric, scale, high, l0) > delta:
        low, high = high, high * 2
        if high > _MAX_THRESHOLD:
            raise ValueError("no threshold reaches that delta")
    while low < high:
        mid = (low + high) // 2
        if _delta_at(domain, metric, scale, mid, l0) > delta:
            low = mid + 1
        else:
            high = mid
    return high


def _delta_at(domain: Any, metric: Any, scale: float, threshold: int, l0: int) -> float:
    measurement = dp.m.make_laplace_threshold(domain, metric, scale=scale, threshold=threshold)
    return float(measurement.map((l0, l0, 1))[1])  # type: ignore[no-untyped-call]


class MetricRelease:
    """Noises one window's bounded counts for a metric; `privacy` is what OpenDP proves."""

    def __init__(self, spec: MetricSpec) -> None:
        _contrib()
        self.spec = spec
        l0 = spec.max_keys_per_user
        self.scale = l0 / spec.epsilon
        if spec.public_keys is None:
            self.threshold: int | None = smallest_threshold(self.scale, l0, spec.delta)
            domain, metric = _private_space()
            self._measurement = dp.m.make_laplace_threshold(
                domain, metric, scale=self.scale, threshold=self.threshold)
            self.mechanism = "laplace_threshold"
            epsilon, delta = self._measurement.map((l0, l0, 1))  # type: ignore[no-untyped-call]
        else:
            self.threshold = None
            self._keys = spec.public_keys
            self._measurement = dp.m.make_laplace(
                dp.vector_domain(dp.atom_domain(T=int), size=len(self._keys)),
                dp.l1_distance(T=int), scale=self.scale)
            self.mechanism = "laplace"
            epsilon, delta = self._measurement.map(l0), 0.0  # type: ignore[no-untyped-call]
        self.epsilon = float(epsilon)
        self.delta = float(delta)

    def __call__(self, counts: Mapping[str, int]) -> dict[str, int]:
        """The noisy counts to release: thresholded keys, or every listed key."""
        if self.spec.public_keys is None:
            noisy: dict[str, int] = self._measurement(dict(counts))
            return noisy
        values = self._measurement([int(counts.get(k, 0)) for k in self._keys])
        return dict(zip(self._keys, values, strict=True))
