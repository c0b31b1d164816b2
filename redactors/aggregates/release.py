"""OpenDP mechanisms for one metric's window: built once, each window noised once.

OpenDP gates every measurement used here behind its "contrib" feature (the thresholded
mechanisms, the vector Laplace and the zCDP-to-approximate-DP combinators alike), so
`enable_features("contrib")` is called when a mechanism is built, never at import, and
nothing else of contrib is used.
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


def _private_space(gaussian: bool = False) -> tuple[Any, Any]:
    distance = dp.l02inf_distance if gaussian else dp.l01inf_distance
    return (dp.map_domain(dp.atom_domain(T=str), dp.atom_domain(T=int)),
            distance(dp.absolute_distance(T=int)))


def _thresholded(scale: float, threshold: int, gaussian: bool) -> Any:
    domain, metric = _private_space(gaussian)
    make = dp.m.make_gaussian_threshold if gaussian else dp.m.make_laplace_threshold
    return make(domain, metric, scale=scale, threshold=threshold)


def smallest_threshold(scale: float, l0: int, delta: float, *, gaussian: bool = False) -> int:
    """The lowest count threshold whose thresholded mechanism keeps delta at most `delta`
    for a user in `l0` keys once each (binary search on OpenDP's privacy map)."""
    _contrib()
    low, high = 1, 2
    while _delta_at(scale, high, l0, gaussian) > delta:
        low, high = high, high * 2
        if high > _MAX_THRESHOLD:
            raise ValueError("no threshold reaches that delta")
    while low < high:
        mid = (low + high) // 2
        if _delta_at(scale, mid, l0, gaussian) > delta:
            low = mid + 1
        else:
            high = mid
    return high


def _delta_at(scale: float, threshold: int, l0: int, gaussian: bool) -> float:
    measurement = _thresholded(scale, threshold, gaussian)
    return float(measurement.map((l0, l0, 1))[1])


def _gaussian(l0: int, epsilon: float, delta: float) -> tuple[float, int, Any]:
    """Gaussian thresholding as (epsilon, delta)-DP: half of delta for the threshold, the
    rest for OpenDP's zCDP-to-approximate-DP conversion; the smallest noise (geometric
    search on sigma) whose converted epsilon is at most `epsilon`."""

    def build(sigma: float) -> tuple[int, Any, float]:
        threshold = smallest_threshold(sigma, l0, delta / 2, gaussian=True)
        fixed = dp.c.make_fix_delta(
            dp.c.make_zCDP_to_approxDP(_thresholded(sigma, threshold, True)), delta)
        return threshold, fixed, float(fixed.map((l0, l0, 1))[0])  # type: ignore[no-untyped-call]

    low, high = 1e-2, 1e6
    for _ in range(40):
        mid = (low * high) ** 0.5
        if build(mid)[2] > epsilon:
            low = mid
        else:
            high = mid
    threshold, fixed, _ = build(high)
    return high, threshold, fixed


class MetricRelease:
    """Noises one window's bounded counts for a metric; `privacy` is what OpenDP proves."""

    def __init__(self, spec: MetricSpec) -> None:
        _contrib()
        self.spec = spec
        l0 = spec.max_keys_per_user
        self.scale = l0 / spec.epsilon
        self.threshold: int | None
        self._measurement: Any  # an OpenDP Measurement (its Python API is untyped)
        if spec.public_keys is None and spec.mechanism == "gaussian":
            self.scale, self.threshold, self._measurement = _gaussian(l0, spec.epsilon,
                                                                      spec.delta)
            self.mechanism = "gaussian_threshold"
            epsilon, delta = self._measurement.map((l0, l0, 1))
        elif spec.public_keys is None:
            self.threshold = smallest_threshold(self.scale, l0, spec.delta)
            self._measurement = _thresholded(self.scale, self.threshold, False)
            self.mechanism = "laplace_threshold"
            epsilon, delta = self._measurement.map((l0, l0, 1))
        else:
            self.threshold = None
            self._keys = spec.public_keys
            self._measurement = dp.m.make_laplace(
                dp.vector_domain(dp.atom_domain(T=int), size=len(self._keys)),
                dp.l1_distance(T=int), scale=self.scale)
            self.mechanism = "laplace"
            epsilon, delta = self._measurement.map(l0), 0.0
        self.epsilon = float(epsilon)
        self.delta = float(delta)

    def __call__(self, counts: Mapping[str, int]) -> dict[str, int]:
        """The noisy counts to release: thresholded keys, or every listed key."""
        if self.spec.public_keys is None:
            noisy: dict[str, int] = self._measurement(dict(counts))
            return noisy
        values = self._measurement([int(counts.get(k, 0)) for k in self._keys])
        return dict(zip(self._keys, values, strict=True))
