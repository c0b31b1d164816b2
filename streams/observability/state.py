"""What a worker's observability holds at run time, shared by its loops and views."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry

from streams.observability.exporter import LagCollector
from streams.observability.health import Readiness
from streams.observability.history import History
from streams.observability.labels import DEFAULT_CATEGORIES, LabelGuard
from streams.observability.lag import LagSampler
from streams.observability.metrics import PipelineMetrics
from streams.observability.observer import PipelineObserver
from streams.observability.outage import BrokerLink
from streams.observability.status import Throughput, status_document

__all__ = ["Observability"]

log = logging.getLogger(__name__)


@dataclass
class Observability:
    """One registry (never the global one), the hooks, the sampler and readiness."""

    sampler: LagSampler
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    readiness: Readiness = field(default_factory=Readiness)
    throughput: Throughput = field(default_factory=Throughput)
    history: History = field(default_factory=History)
    policy_version: str | None = None
    started_at: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        self.metrics = PipelineMetrics(self.registry)
        self.broker = BrokerLink(self.registry)
        self.observer = PipelineObserver(self.metrics, LabelGuard(self.categories))
        self.registry.register(LagCollector(lambda: self.sampler.last))

    async def sample_lag(self) -> None:
        before = self.sampler.failures
        if await self.sampler.sample() is not None and self.sampler.last_success:
            self.metrics.lag_sample_time.set(self.sampler.last_success)
        self.metrics.lag_sample_failures.inc(self.sampler.failures - before)
        # Every sample is a broker round trip: its outcome is the broker's state.
        if self.sampler.failures > before:
            self.broker.failed(self.sampler.last_error or "error")
        else:
            self.broker.succeeded()
        self.readiness.broker_error = (None if self.broker.reachable else
                                       f"broker unreachable: {self.broker.error}")
        self.readiness.broker_unreachable_since = self.broker.down_since

    def record_history(self, now: float | None = None) -> None:
        lag = self.sampler.last
        self.history.record(self.observer.events_in, self.observer.routes,
                            None if lag is None else lag.max_lag_seconds, now)

    def worker_facts(self) -> dict[str, Any]:
        sizes = {}
        for name, size in self.observer.table_sizes.items():
            try:
                sizes[name] = size()
            except Exception:  # a table mid-rebalance has no size for a moment
                log.debug("table size unavailable", extra={"table": name})
        return {"policy_version": self.policy_version, "started_at": self.started_at,
                "last_rebalance": self.observer.last_rebalance, "table_sizes": sizes,
                "broker": self.broker.as_dict()}

    def status(self) -> dict[str, Any]:
        return status_document(group=self.sampler.group, observer=self.observer,
                               throughput=self.throughput, readiness=self.readiness,
                               lag=self.sampler.last, lag_sampled_at=self.sampler.last_success,
                               worker=self.worker_facts(), history=self.history)
