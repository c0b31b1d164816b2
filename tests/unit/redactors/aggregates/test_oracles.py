"""Statistical oracles for the released noise: seeded where we draw, tolerant where OpenDP
draws (its CSPRNG takes no seed), and sized so that a false failure is below 1e-4."""

from __future__ import annotations

import dataclasses
import math
import statistics

import pytest

from redactors.aggregates import MetricRelease, MetricSpec
from redactors.policy import load_policy

N = 20_000


def _metric(**overrides: object) -> MetricSpec:
    spec = MetricSpec(
        name="pages", description="", key_paths=(("url",),), key_form="path",
        events=frozenset(), window_seconds=86_400, grace_seconds=0, max_keys_per_user=3,
        epsilon=0.5, mechanism="laplace", public_keys=None, other_key=None, delta=1e-8)
    return dataclasses.replace(spec, **overrides)  # type: ignore[arg-type]


def _discrete_laplace_sd(scale: float) -> float:
    q = math.exp(-1 / scale)
    return math.sqrt(2 * q) / (1 - q)


def _tail(scale: float, k: int) -> float:
    """P(X >= k) for discrete Laplace noise X, k >= 1."""
    q = math.exp(-1 / scale)
    return q**k / (1 + q)


@pytest.mark.parametrize("metric", load_policy().aggregates.metrics, ids=lambda m: m.name)
def test_privacy_map_of_each_configured_metric_is_its_documented_epsilon(
        metric: MetricSpec) -> None:
    release = MetricRelease(metric)
    assert release.epsilon == pytest.approx(metric.epsilon, rel=1e-9)
    assert release.delta <= metric.delta if metric.public_keys is None else release.delta == 0


def test_the_default_thresholded_metric_needs_114_users() -> None:
    release = MetricRelease(_metric())
    assert (release.scale, release.threshold) == (6.0, 114)


def test_private_noise_standard_deviation_and_mean_match_the_mechanism() -> None:
    release = MetricRelease(_metric())
    true = 1_000  # far above the threshold: every key is released
    noisy = release({f"/p{i}": true for i in range(N)})
    assert len(noisy) == N
    errors = [v - true for v in noisy.values()]
    sd = _discrete_laplace_sd(release.scale)
    assert statistics.pstdev(errors) == pytest.approx(sd, rel=0.03)
    assert abs(statistics.fmean(errors)) < 4 * sd / math.sqrt(N)


def test_public_noise_standard_deviation_matches_the_mechanism() -> None:
    keys = tuple(f"k{i}" for i in range(N))
    release = MetricRelease(_metric(public_keys=keys, delta=0.0, max_keys_per_user=2,
                                    epsilon=0.25))
    noisy = release({})  # every listed key is released, zeros included
    assert set(noisy) == set(keys)
    sd = _discrete_laplace_sd(release.scale)
    assert statistics.pstdev(noisy.values()) == pytest.approx(sd, rel=0.03)


def test_keys_below_the_one_percent_point_are_released_no_more_than_expected() -> None:
    release = MetricRelease(_metric())
    assert release.threshold is not None
    # the largest count whose release probability is at most 1 %
    users = max(c for c in range(release.threshold)
                if _tail(release.scale, release.threshold - c) <= 0.01)
    expected = _tail(release.scale, release.threshold - users)
    released = len(release({f"/rare{i}": users for i in range(N)}))
    assert released / N <= expected + 4 * math.sqrt(expected * (1 - expected) / N)
    # a handful of users is never released, a key at 3 thresholds always is
    assert release({f"/few{i}": 5 for i in range(N)}) == {}
    assert len(release({f"/many{i}": 3 * release.threshold for i in range(N)})) == N


def test_gaussian_thresholding_meets_its_epsilon_delta_and_noise() -> None:
    spec = _metric(mechanism="gaussian", max_keys_per_user=10, epsilon=1.0)
    release = MetricRelease(spec)
    assert release.mechanism == "gaussian_threshold"
    assert 0.95 <= release.epsilon <= 1.0  # the least noise that fits
    assert release.delta <= 1e-8
    assert release.threshold is not None
    true = release.threshold * 3
    noisy = release({f"/p{i}": true for i in range(N)})
    assert len(noisy) == N
    errors = [v - true for v in noisy.values()]
    assert statistics.pstdev(errors) == pytest.approx(release.scale, rel=0.03)
    assert abs(statistics.fmean(errors)) < 4 * release.scale / math.sqrt(N)
    assert release({f"/few{i}": 5 for i in range(N)}) == {}
