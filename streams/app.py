"""Build the worker: the Faust control plane and the batched data plane, wired once.

The direction is one way: settings -> policy and engine -> hooks -> consent view and
suppression -> rights -> router -> data plane -> app. Nothing is attached afterwards,
except the consent view's `on_state` (the rights module's child check).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer

from redactors.engine import Engine, load_engine
from redactors.keys import InMemoryKeyProvider
from redactors.kwindow import RiskWindow
from streams.consent_view import ConsentView
from streams.dataplane.aggregation import aggregation_for
from streams.dataplane.delivery import AtLeastOnce, Delivery, ExactlyOnce, ProducerOptions
from streams.dataplane.faults import FaultInjector
from streams.dataplane.keys import KeyStore
from streams.dataplane.router import Router
from streams.dataplane.service import FETCH_MAX_WAIT_MS, DataPlane
from streams.hooks import CompositeHooks, NullHooks, PipelineHooks
from streams.kwindow_purge import ERASED_PURGE_INTERVAL, ErasedPurge
from streams.observability import install_observability
from streams.records import Route
from streams.rights.agent import Rights, register_rights
from streams.settings import Settings
from streams.state.build import key_table, stored_consent, stored_suppression
from streams.suppression_view import SuppressionView
from streams.topics import AGGREGATE_CONTRIBUTIONS, KEYS_TABLE, SUPPRESSION_TABLE, TopicNames
from streams.transport import LowLatencyApp

__all__ = ["Pipeline", "create_app", "create_pipeline"]


@dataclass(frozen=True, kw_only=True)
class Pipeline:
    """The app and what the rights module and tests build on."""

    app: faust.App
    settings: Settings
    names: TopicNames
    topics: Mapping[str, faust.TopicT]  # by TopicNames attribute: requests, consent, ...
    engine: Engine
    consent: ConsentView
    keys: KeyStore  # per-subject data keys of the raw partitions this process owns
    suppressed: SuppressionView  # keyed subject hash -> SuppressionEntry dict
    hooks: PipelineHooks


def _app(settings: Settings) -> LowLatencyApp:
    return LowLatencyApp(
        settings.app_id,
        broker=settings.broker_urls,
        broker_credentials=settings.security.faust_credentials(),
        store="memory://",
        topic_partitions=settings.partitions,
        topic_replication_factor=1,
        web_port=settings.web_port,
        web_host=settings.web_host,
        datadir=settings.data_dir,
        # The control plane (rights requests, the suppression table) is at-least-once in
        # both modes; exactly-once is the data plane's (streams.dataplane.delivery).
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=10.0,  # a kill -9'd worker's partitions move within ~10 s
        broker_heartbeat_interval=1.0,
        broker_commit_interval=1.0,
        producer_linger=0.005,
        producer_acks=-1,
    )


def _data_consumer(settings: Settings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers, group_id=settings.data_group,
        enable_auto_commit=False, auto_offset_reset="earliest",
        isolation_level="read_committed", max_poll_records=settings.max_poll_records,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS, session_timeout_ms=10_000,
        heartbeat_interval_ms=1_000, max_partition_fetch_bytes=4 * 1024 * 1024,
        **settings.security.aiokafka_kwargs())


def _delivery(settings: Settings, keys: KeyStore) -> Any:
    options = ProducerOptions(
        bootstrap=settings.bootstrap_servers, linger_ms=settings.linger_ms,
        compression=None if settings.compression == "none" else settings.compression,
        security=settings.security)
    inject = FaultInjector.parse(settings.inject_fault)

    def build(consumer: AIOKafkaConsumer, plane: DataPlane) -> Delivery:
        if settings.exactly_once:
            return ExactlyOnce(consumer, options, keys, group=settings.data_group,
                               interval=settings.commit_interval,
                               max_events=settings.transaction_events, on_fenced=plane.pause,
                               inject=inject)
        return AtLeastOnce(consumer, options, keys, interval=settings.commit_interval,
                           inject=inject)

    return build


def create_pipeline(settings: Settings, *, hooks: PipelineHooks | None = None,
                    env: Mapping[str, str] | None = None) -> Pipeline:
    """The configured pipeline; raises LogwardenError on a bad policy or missing keys."""
    env = os.environ if env is None else env
    # Keys come per raw partition (streams.dataplane.keys); the engine's own provider
    # is never used by the data plane.
    engine = load_engine(settings.policy_path, InMemoryKeyProvider(), env)
    names = TopicNames(prefix=settings.topic_prefix, app_id=settings.app_id)
    app = _app(settings)
    quasi = engine.policy.quasi
    risk = RiskWindow(quasi) if quasi is not None else None
    observer = install_observability(app, settings,
                                     categories=[c.key for c in engine.policy.categories],
                                     risk=risk,
                                     policy_version=engine.policy.version)
    hooks = CompositeHooks([hooks or NullHooks(), observer])
    n = settings.partitions

    def topic(name: str, **kwargs: Any) -> faust.TopicT:
        return app.topic(name, partitions=n, key_serializer="raw", value_serializer="raw",
                         **kwargs)

    topics = {"consent": topic(names.consent, compacting=True),
              "requests": topic(names.requests), "receipts": topic(names.receipts)}
    # Start-up gates run in order: the suppression list is loaded before consent is read,
    # so the rights module can check each consent record read at load against it.
    listed = names.changelog(SUPPRESSION_TABLE)
    suppressed = SuppressionView(app, listed, n, security=settings.security,
                                 stored=stored_suppression(settings, listed))
    stored = stored_consent(settings, names.consent, policy_version=engine.policy.version,
                            minimum_age=engine.policy.minimum_age, env=env)
    consent = ConsentView(app, topics["consent"], n, hooks,
                          minimum_age=engine.policy.minimum_age, security=settings.security,
                          stored=stored)
    changelog = names.changelog(KEYS_TABLE)
    keys = KeyStore(settings.bootstrap_servers, changelog, hooks.on_key_created,
                    settings.security, key_table(settings, changelog, env=env))
    pipeline = Pipeline(app=app, settings=settings, names=names, topics=topics,
                        engine=engine, consent=consent, keys=keys,
                        suppressed=suppressed, hooks=hooks)
    rights: Rights = register_rights(pipeline, env)  # suppression is not optional
    observer.table_sizes.update(consent=consent.__len__,
                                suppression=pipeline.suppressed.__len__)
    tap, aggregator = aggregation_for(engine.policy, settings, names,
                                      rights.suppression.hasher, observer.metrics.registry,
                                      beacon=app.beacon)
    router = Router(engine=engine, consent=consent,
                    is_suppressed=rights.suppression.is_suppressed,
                    on_child=rights.on_child_event,
                    outputs={Route.ANALYTICS: names.analytics,
                             Route.IDENTIFIABLE: names.identifiable,
                             Route.DEADLETTER: names.deadletter,
                             Route.CONTRIBUTION: names.changelog(AGGREGATE_CONTRIBUTIONS)},
                    risk=risk, subject_token=rights.suppression.subject_hash, tap=tap)
    if risk is not None:
        purge = ErasedPurge(risk, pipeline.suppressed)

        async def purge_erased_from_risk_window() -> None:
            await purge()

        app.timer(interval=ERASED_PURGE_INTERVAL)(purge_erased_from_risk_window)
    plane = DataPlane(consumer=lambda: _data_consumer(settings), topic=names.raw,
                      router=router, keys=keys, delivery=_delivery(settings, keys),
                      hooks=hooks, max_records=settings.max_poll_records, beacon=app.beacon)
    app.after_recovery.append(plane)
    if aggregator is not None:
        app.after_recovery.append(aggregator)
    return pipeline


def create_app(settings: Settings, *, hooks: PipelineHooks | None = None) -> faust.App:
    """The Faust app alone (see create_pipeline for its tables and topics)."""
    return create_pipeline(settings, hooks=hooks).app
