"""Build the Faust application: topics, tables and the ingest agent, wired once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import faust

from streams.agents.ingest import Ingest, register_ingest
from streams.delivery import NEVER, CommitGate, TransactionalSender
from streams.engine import load_pipeline_engine
from streams.hooks import CompositeHooks, NullHooks, PipelineHooks
from streams.observability import install_observability
from streams.records import Route
from streams.rights.agent import register_rights
from streams.settings import Settings
from streams.tables import ConsentView, TableKeyProvider, keys_table, suppression_table
from streams.topics import TopicNames
from streams.transport import LowLatencyApp

__all__ = ["Pipeline", "create_app", "create_pipeline"]


@dataclass(frozen=True, kw_only=True)
class Pipeline:
    """The app and what later features build on: tables, topics, hooks, the agent."""

    app: faust.App
    settings: Settings
    names: TopicNames
    topics: Mapping[str, faust.TopicT]  # by TopicNames attribute: raw, analytics, ...
    consent: ConsentView
    keys: Any  # faust Table, key `{partition}/{subject}` -> 32-byte data key
    key_provider: TableKeyProvider
    suppressed: Any  # faust GlobalTable: keyed subject hash -> SuppressionEntry dict
    ingest: Ingest
    hooks: PipelineHooks


def _app(settings: Settings) -> faust.App:
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
        processing_guarantee="exactly_once" if settings.exactly_once else "at_least_once",
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=10.0,  # a kill -9'd worker's partitions move within ~10 s
        broker_heartbeat_interval=1.0,
        # exactly-once: commits come from the CommitGate only (see streams/delivery.py)
        broker_commit_interval=NEVER if settings.exactly_once else settings.commit_interval,
        broker_commit_every=NEVER if settings.exactly_once else 10_000,
        producer_linger=0.005,  # batch sends: one produce request per event starves the loop
        producer_acks=-1,
        stream_buffer_maxsize=4096,
    )


def create_pipeline(settings: Settings, *, hooks: PipelineHooks | None = None,
                    env: Mapping[str, str] | None = None) -> Pipeline:
    """The configured pipeline; raises LogwardenError on a bad policy or missing keys."""
    hooks = hooks or NullHooks()
    names = TopicNames(prefix=settings.topic_prefix, app_id=settings.app_id)
    app = _app(settings)
    hooks = CompositeHooks([hooks, install_observability(app, settings)])
    n = settings.partitions

    def topic(name: str, **kwargs: Any) -> faust.TopicT:
        return app.topic(name, partitions=n, key_serializer="raw", value_serializer="raw",
                         **kwargs)

    topics = {
        "raw": topic(names.raw), "analytics": topic(names.analytics),
        "identifiable": topic(names.identifiable), "deadletter": topic(names.deadletter),
        "consent": topic(names.consent, compacting=True),
        "requests": topic(names.requests), "receipts": topic(names.receipts),
    }
    consent = ConsentView(app, topics["consent"], n, hooks, security=settings.security)
    keys = keys_table(app, n)
    provider = TableKeyProvider(keys, hooks)
    engine = load_pipeline_engine(settings.policy_path, provider,
                                  os.environ if env is None else env)
    consent.minimum_age = engine.policy.minimum_age
    outputs = {Route.ANALYTICS: names.analytics, Route.IDENTIFIABLE: names.identifiable,
               Route.DEADLETTER: names.deadletter}
    sender = TransactionalSender(app, names.raw, transactional=settings.exactly_once)
    ingest = Ingest(engine=engine, consent=consent, keys=provider, outputs=outputs,
                    sender=sender, hooks=hooks)
    gate = CommitGate(app, settings.commit_interval) if settings.exactly_once else None
    register_ingest(app, topics["raw"], ingest, batch_size=settings.batch_size, gate=gate)
    pipeline = Pipeline(app=app, settings=settings, names=names, topics=topics,
                        consent=consent, keys=keys, key_provider=provider,
                        suppressed=suppression_table(app, n), ingest=ingest, hooks=hooks)
    register_rights(pipeline, os.environ if env is None else env)  # suppression is not optional
    return pipeline


def create_app(settings: Settings, *, hooks: PipelineHooks | None = None) -> faust.App:
    """The Faust app alone (see create_pipeline for its tables and topics)."""
    return create_pipeline(settings, hooks=hooks).app
