"""What a worker's observability holds at run time, shared by its loops and views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry

from streams.observability.exporter import LagCollector
from streams.observability.health import Readiness
from streams.observability.labels import DEFAULT_CATEGORIES, LabelGuard
from streams.observability.lag import LagSampler
from streams.observability.metrics import PipelineMetrics
from streams.observability.observer import PipelineObserver
from streams.observability.status import Throughput, status_document

__all__ = ["Observability"]


@dataclass
class Observability:
    """One registry (never the global one), the hooks, the sampler and readiness."""

    sampler: LagSampler
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    readiness: Readiness = field(default_factory=Readiness)
    throughput: Throughput = field(default_factory=Throughput)

    def __post_init__(self) -> None:
        self.metrics = PipelineMetrics(self.registry)
        self.observer = PipelineObserver(self.metrics, LabelGuard(self.categories))
        self.registry.register(LagCollector(lambda: self.sampler.last))

    async def sample_lag(self) -> None:
        before = self.sampler.failures
        if await self.sampler.sample() is not None and self.sampler.last_success:
            self.metrics.lag_sample_time.set(self.sampler.last_success)
        self.metrics.lag_sample_failures.inc(self.sampler.failures - before)

    def status(self) -> dict[str, Any]:
        return status_document(group=self.sampler.group, observer=self.observer,
                               throughput=self.throughput, readiness=self.readiness,
                               lag=self.sampler.last, lag_sampled_at=self.sampler.last_success)
