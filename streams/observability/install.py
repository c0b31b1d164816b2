"""Wire observability into a Faust app: views, logging, sampler loop, rebalance signals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import faust

from streams.observability.collapse import RepeatCollapser
from streams.observability.health import TopicCheck, spec_check
from streams.observability.labels import DEFAULT_CATEGORIES
from streams.observability.lag import LagSampler
from streams.observability.logging import json_logging_config
from streams.observability.observer import PipelineObserver
from streams.observability.risk import RiskCollector
from streams.observability.state import Observability
from streams.observability.web import register_views
from streams.settings import Settings

if TYPE_CHECKING:
    from redactors.kwindow import RiskWindow
from streams.topics import TopicNames, topic_specs

__all__ = ["category_labels", "install_observability"]

log = logging.getLogger(__name__)


def category_labels(policy_categories: Iterable[str]) -> tuple[str, ...]:
    """The values a category label may take: the loaded policy's keys and the defaults."""
    return tuple(sorted(set(policy_categories) | set(DEFAULT_CATEGORIES)))


def install_observability(app: faust.App, settings: Settings, *,
                          categories: Iterable[str],
                          topic_check: TopicCheck | None = None,
                          risk: RiskWindow | None = None,
                          policy_version: str | None = None) -> PipelineObserver:
    """Attach metrics, health, the status page, JSON logs and the lag sampler to `app`.

    Returns the pipeline hooks to hand to the data plane. `categories` are the loaded
    policy's category keys (the only values a category label may take besides the
    defaults). `topic_check` returns problems with the broker's topics (empty when
    fine); by default, `logwarden topics check`.
    """
    names = TopicNames(prefix=settings.topic_prefix, app_id=settings.app_id)
    specs = topic_specs(names, settings.partitions)
    sampler = LagSampler(settings.bootstrap_servers, settings.data_group, [names.raw],
                         intervals=settings.lag_intervals,
                         min_distance=settings.lag_min_distance, security=settings.security)
    allowed = category_labels(categories)
    obs = Observability(sampler=sampler, categories=allowed, policy_version=policy_version)
    check = topic_check or (lambda: spec_check(settings.bootstrap_servers, specs,
                                               security=settings.security))
    collapser = RepeatCollapser(settings.log_collapse_interval)
    app.conf.logging_config = json_logging_config(collapser)
    if risk is not None:
        obs.registry.register(RiskCollector(risk))
    register_views(app, obs)

    async def observe_after_recovery() -> None:
        # Faust starts app tasks only once table recovery has completed.
        obs.readiness.recovered = True
        await obs.readiness.check_topics(check)
        obs.metrics.ready.set(int(obs.readiness.ready))
        log.info("readiness checked", extra={"ready": obs.readiness.ready,
                                              "problems": len(obs.readiness.problems)})
        try:
            while True:
                # A failed sample is a broker outage: not ready until one succeeds again.
                await obs.sample_lag()
                if not obs.readiness.ready and obs.broker.reachable:
                    await obs.readiness.check_topics(check)
                obs.metrics.ready.set(int(obs.readiness.ready))
                await asyncio.sleep(settings.lag_interval)
        finally:
            await sampler.close()

    async def tick() -> None:
        collapser.flush()
        obs.throughput.tick(obs.observer.events_in)
        obs.record_history()
        for name, table in list(app.tables.items()):
            try:
                obs.metrics.table_size.labels(str(name)).set(len(table))
            except Exception:  # a table mid-rebalance must not kill the timer
                log.debug("table size unavailable", extra={"table": str(name)})

    app.task(observe_after_recovery)
    app.timer(interval=1.0)(tick)

    return obs.observer
