"""The worker's re-identification risk metrics: k-anonymity of the analytics records it
wrote in the recent window (redactors.kwindow), measured at most every few seconds.

Labels: `k` from K_LEVELS, `size` from SIZE_BUCKETS, `quasi_identifier` from the
policy's names: fixed sets, never a value.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from redactors.kwindow import RiskWindow
from redactors.risk import K_LEVELS, RiskReport

__all__ = ["RiskCollector"]

MIN_INTERVAL = 5.0  # seconds: a measurement walks the whole window


class RiskCollector(Collector):
    """Measures the window when scraped (cached for MIN_INTERVAL) and reports it."""

    def __init__(self, window: RiskWindow, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._report: RiskReport | None = None
        self._at = float("-inf")

    def report(self) -> RiskReport:
        now = self._clock()
        if self._report is None or now - self._at >= MIN_INTERVAL:
            self._report = self._window.report()
            self._at = now
        return self._report

    def collect(self) -> Iterator[Metric]:
        window = self._window
        names = window.spec.names
        report = self.report()
        yield _gauge("logwarden_risk_window_records",
                     "Analytics records in the risk window.", report.records)
        yield _gauge("logwarden_risk_window_subjects",
                     "Distinct subjects in the risk window.", report.subjects)
        yield _gauge("logwarden_risk_classes",
                     "Equivalence classes (records alike on every quasi-identifier).",
                     report.classes)
        below_records = GaugeMetricFamily(
            "logwarden_risk_records_below_k_ratio",
            "Share of the window's analytics records in classes of fewer than k subjects.",
            labels=["k"])
        below_subjects = GaugeMetricFamily(
            "logwarden_risk_subjects_below_k_ratio",
            "Share of the window's subjects with a record in a class of fewer than k.",
            labels=["k"])
        for k in K_LEVELS:
            below_records.add_metric([str(k)], report.share_records_below(k))
            below_subjects.add_metric([str(k)], report.share_subjects_below(k))
        yield below_records
        yield below_subjects
        sizes = GaugeMetricFamily("logwarden_risk_classes_by_size",
                                  "Classes in the window by size (distinct subjects).",
                                  labels=["size"])
        for label, classes, _ in report.size_distribution:
            sizes.add_metric([label], classes)
        yield sizes
        contribution = GaugeMetricFamily(
            "logwarden_risk_quasi_identifier_contribution",
            "Records below the policy's k that leaving this quasi-identifier out would lift.",
            labels=["quasi_identifier"])
        for name in names:
            without = report.contribution.get(name, 0)
            contribution.add_metric([name], report.records_below.get(report.k, 0) - without)
        yield contribution
        generalized = CounterMetricFamily(
            "logwarden_risk_generalized", "Quasi-identifier values generalized by suppression.",
            labels=["quasi_identifier"])
        for name in names:
            generalized.add_metric([name], window.generalized.get(name, 0))
        yield generalized
        yield CounterMetricFamily("logwarden_risk_observed",
                                  "Analytics records observed by the risk window.",
                                  value=window.observed)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
