"""Every detector scans in time linear in its input, on generated worst cases (issue 10).

Time per character is compared within one run, as a ratio: a batch of small texts against
one large text. A quadratic scan shows up as a ratio equal to the size
ratio (16 or 1024 here); a linear one stays near 1.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from time import process_time

import pytest

from redactors.detectors import BUILTIN_DETECTORS, Detector
from redactors.scanner import FreeTextScanner
from tests.unit.hostile.adversarial import FAMILIES, REPROS, Family

Scan = Callable[[str], object]
MAX_RATIO = 4.0  # per-char time, large over small; generous for a shared, noisy machine


def _prepared() -> tuple[Detector, ...]:
    for detector in BUILTIN_DETECTORS:
        if detector.prepare is not None:
            detector.prepare()
    return BUILTIN_DETECTORS


def _time_per_char(scan: Scan, family: Family, size: int, total: int) -> float:
    rnd = random.Random(size)  # distinct texts: no validator cache makes small ones cheap
    texts = [family(rnd, size) for _ in range(max(1, total // size))]
    started = process_time()
    for text in texts:
        scan(text)
    return max(process_time() - started, 1e-5) / sum(map(len, texts))


def _ratio(scan: Scan, family: Family, small: int, large: int) -> float:
    batch = min(large, 32 * small)
    return (_time_per_char(scan, family, large, large)
            / _time_per_char(scan, family, small, batch))


@pytest.mark.parametrize("detector", _prepared(), ids=lambda d: d.name)
def test_every_detector_is_linear_on_generated_worst_cases(detector: Detector) -> None:
    slow = {name: round(ratio, 1) for name, family in FAMILIES.items()
            if (ratio := _ratio(detector.spans, family, 1024, 16384)) > MAX_RATIO}
    # re-measure what looked slow once: a noisy neighbour must not fail the build
    slow = {name: r for name in slow
            if (r := _ratio(detector.spans, FAMILIES[name], 1024, 16384)) > MAX_RATIO}
    assert not slow, f"{detector.name}: time per char grows with size: {slow}"


@pytest.mark.parametrize("repro", sorted(REPROS))
def test_the_issue_repros_are_linear_from_1_kib_to_1_mib(repro: str) -> None:
    """Each repro against every detector its shape wakes (the prefilter would let through)."""
    family = REPROS[repro]
    sample = family(random.Random(0), 4096)
    woken = [d for d in _prepared() if d.regex.search(sample) or d.name.startswith(
        ("jwt", "phone", "private_key"))]
    ratios = {d.name: round(_ratio(d.spans, family, 1024, 1 << 20), 1) for d in woken}
    assert max(ratios.values()) <= MAX_RATIO, ratios


@pytest.mark.parametrize("family", ["base64_runs", "hex_runs", "jwt_retry", "name_pieces"])
def test_the_whole_scanner_is_linear(family: str) -> None:
    """Prefilter, unescaping, base64/hex decoding and detectors together (no cache)."""
    scanner = FreeTextScanner()
    ratio = _ratio(scanner._scan, FAMILIES[family], 1024, 1 << 18)  # _scan: no cache
    assert ratio <= MAX_RATIO, ratio


def test_an_expensive_validator_runs_a_capped_number_of_times_then_fails_closed() -> None:
    calls: list[str] = []

    def reject(value: str, _before: str) -> bool:
        calls.append(value)
        return False

    detector = Detector(name="digits", entity="ID_NUMBER", pattern=r"\d{3}", hint=r"\d{3}",
                        validate=reject, max_validations=3)
    assert detector.spans("111 222 333 444 555") == [(12, 15), (16, 19)]
    assert calls == ["111", "222", "333"]
    with pytest.raises(ValueError, match="max_validations"):
        Detector(name="bad", entity="ID_NUMBER", pattern="x", hint="x", max_validations=0)
