"""The aggregator: bounded counts per metric window, released once with OpenDP noise.

Contributions (streams.dataplane.contributions) reach the contributions topic through
whichever raw partition carried the event, so one member of the group `{app_id}-aggregates`
owns every partition of it (SingleOwnerAssignor) and sees each subject's events in one
place. Its state is the open windows' bounded counts, rebuilt after a restart by replaying
the contributions topic (their changelog) from the offsets saved with the last release.

A release is one transaction (transactional id `{app_id}-aggregates`, which fences a
previous owner): the windows' records to analytics.aggregates and the state record
(which windows are released, where replay starts) on the compacted state topic. A crash
before the commit aborts the records with it: read_committed consumers never see them,
and the window is noised afresh by the next owner; a crash after it leaves the window
released. Contributions to a released window are late: counted, dropped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiokafka import (
    AIOKafkaConsumer,
    AIOKafkaProducer,
    ConsumerRebalanceListener,
    TopicPartition,
)
from aiokafka.errors import ProducerFenced
from mode import Service
from prometheus_client import CollectorRegistry, Counter, Gauge

from redactors import codec
from redactors.aggregates import AggregatePlan, ContributionBounder, MetricRelease
from redactors.aggregates.record import release_record
from redactors.errors import LogwardenError
from redactors.policy import Policy
from streams.dataplane.contributions import ContributionTap
from streams.dataplane.single_owner import SingleOwnerAssignor
from streams.security import PLAINTEXT, ClientSecurity
from streams.settings import Settings
from streams.topics import AGGREGATE_CONTRIBUTIONS, AGGREGATE_STATE, TopicNames

__all__ = ["AggregateMetrics", "Aggregator", "aggregation_for"]

log = logging.getLogger(__name__)

STATE_KEY = b"aggregator"
STATE_VERSION = 1


class AggregateMetrics:
    """Releases and budget use per metric (labels: metric names from the policy)."""

    def __init__(self, plan: AggregatePlan, registry: CollectorRegistry | None) -> None:
        r = registry or CollectorRegistry()

        def per_metric(name: str, doc: str) -> Counter:
            return Counter(f"logwarden_aggregate_{name}", doc, ["metric"], registry=r)

        self.releases = per_metric("releases", "Metric windows released.")
        self.epsilon = per_metric("epsilon_spent", "Epsilon per user spent by released windows.")
        self.late = per_metric("late_contributions",
                               "Contributions to a window already released (dropped).")
        self.bounded_out = per_metric("bounded_out",
                                      "Contributions past a user's L0 bound (ignored).")
        self.users_held = Gauge("logwarden_aggregate_users_held",
                                "Per-user window entries held until release.", registry=r)
        budget = Gauge("logwarden_aggregate_epsilon_per_user_day",
                       "Configured epsilon per user-day: the budget and each metric's use.",
                       ["metric"], registry=r)
        budget.labels("_budget").set(plan.budget.epsilon_per_user_day)
        for metric in plan.metrics:
            budget.labels(metric.name).set(metric.epsilon_per_day)
            for counter in (self.releases, self.epsilon, self.late, self.bounded_out):
                counter.labels(metric.name)


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, aggregator: Aggregator) -> None:
        self._aggregator = aggregator

    async def on_partitions_revoked(self, revoked: Any) -> None:
        await self._aggregator.revoked()

    async def on_partitions_assigned(self, assigned: Any) -> None:
        await self._aggregator.assigned(list(assigned))


def _releases(plan: AggregatePlan) -> list[MetricRelease]:
    """Each metric's mechanism; refuses one whose OpenDP privacy map exceeds the policy."""
    releases = [MetricRelease(m) for m in plan.metrics]
    for release in releases:
        spec = release.spec
        if release.epsilon > spec.epsilon * (1 + 1e-9) or release.delta > max(spec.delta, 0):
            raise LogwardenError(f"aggregate {spec.name}: OpenDP maps it to epsilon "
                                 f"{release.epsilon:g}, delta {release.delta:g}: over the policy")
    return releases


class Aggregator(Service):
    """Owns all contributions partitions or none; releases due windows every `tick` s."""

    _consumer: AIOKafkaConsumer

    def __init__(self, *, plan: AggregatePlan, policy_version: str, bootstrap: str,
                 group: str, topic: str, state_topic: str, output_topic: str,
                 security: ClientSecurity = PLAINTEXT, registry: CollectorRegistry | None = None,
                 clock: Callable[[], float] = time.time, tick: float = 0.5,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._plan = plan
        self._metrics = plan.metrics
        self._releases = _releases(plan)
        self._policy = policy_version
        self._bootstrap, self._security = bootstrap, security
        self._group, self._topic = group, topic
        self._state_topic, self._output = state_topic, output_topic
        self._clock, self._tick = clock, tick
        self.stats = AggregateMetrics(plan, registry)
        self._lock = asyncio.Lock()
        self._producer: AIOKafkaProducer | None = None
        self._owned: list[TopicPartition] = []
        self._bounder = ContributionBounder(self._metrics)
        self._released: list[int] = []  # per metric: start of the next window to release
        self._first: dict[tuple[int, int], dict[int, int]] = {}  # window -> partition -> offset
        self._next: dict[int, int] = {}  # partition -> offset after the last one folded
        self.released_windows = 0
        # counted per contribution, handed to Prometheus once per fetch (labels cost µs)
        self._late = [0] * len(self._metrics)
        self._bounded_out = [0] * len(self._metrics)

    async def on_start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap, group_id=self._group,
            partition_assignment_strategy=(SingleOwnerAssignor,),
            enable_auto_commit=False, auto_offset_reset="earliest",
            isolation_level="read_committed", session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000, **self._security.aiokafka_kwargs())
        await self._consumer.start()
        self._consumer.subscribe([self._topic], listener=_Rebalance(self))

    async def on_stop(self) -> None:
        # The lock is released before the consumer stops: stopping waits for the group
        # coordinator's task, which may be calling `revoked` (a rebalance under way), and
        # `revoked` takes the lock; holding it here deadlocked a SIGTERM'd owner.
        try:
            async with self._lock:
                await self._drop()
        finally:
            await self._consumer.stop()

    async def assigned(self, tps: list[TopicPartition]) -> None:
        async with self._lock:
            await self._drop()
            if not tps:
                return
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap, acks="all", enable_idempotence=True,
                transactional_id=self._group, **self._security.aiokafka_kwargs())
            await producer.start()  # InitProducerId: the previous owner is fenced here
            self._producer, self._owned = producer, list(tps)
            await self._load()

    async def revoked(self) -> None:
        async with self._lock:
            await self._drop()

    async def _drop(self) -> None:
        producer, self._producer, self._owned = self._producer, None, []
        self._bounder = ContributionBounder(self._metrics)
        self._first.clear()
        if producer is not None:
            try:
                await producer.stop()
            except Exception as exc:
                log.warning("aggregator producer stop failed: %s", type(exc).__name__)

    async def _load(self) -> None:
        """Released marks and replay offsets from the state topic; seek there."""
        state = await self._read_state()
        self._bounder = ContributionBounder(self._metrics)
        self._first.clear()
        released = state.get("released", {}) if state else {}
        offsets = {int(p): int(o) for p, o in (state or {}).get("offsets", {}).items()}
        now = self._clock()
        # The first owner starts with the windows still in their grace period.
        self._released = [
            int(released.get(m.name, self._bounder.window_of(i, now - m.grace_seconds)))
            for i, m in enumerate(self._metrics)]
        for tp in self._owned:
            if tp.partition in offsets:
                self._consumer.seek(tp, offsets[tp.partition])
            else:
                await self._consumer.seek_to_beginning(tp)
            self._next[tp.partition] = await self._consumer.position(tp)
        if state is None:
            await self._commit([])  # the first owner fixes where the windows start
        log.info("aggregator owns contributions", extra={"partitions": len(self._owned)})

    async def _read_state(self) -> dict[str, Any] | None:
        reader = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=None,
                                  enable_auto_commit=False, isolation_level="read_committed",
                                  **self._security.aiokafka_kwargs())
        await reader.start()
        try:
            tp = TopicPartition(self._state_topic, 0)
            reader.assign([tp])
            await reader.seek_to_beginning(tp)
            end = (await reader.end_offsets([tp]))[tp]
            state = None
            while await reader.position(tp) < end:
                for record in (await reader.getmany(tp, timeout_ms=500)).get(tp, []):
                    if record.key == STATE_KEY and record.value is not None:
                        state = codec.loads(record.value)
            if state is not None and state.get("v") != STATE_VERSION:
                raise LogwardenError("aggregator state: unknown version")
            return state
        finally:
            await reader.stop()

    @Service.task
    async def _run(self) -> None:
        while not self.should_stop:
            try:
                batch = await self._consumer.getmany(timeout_ms=int(self._tick * 1000),
                                                     max_records=10_000)
                async with self._lock:
                    if self._producer is None:
                        continue
                    for tp, records in batch.items():
                        if (tp in self._owned and records and await
                                self._consumer.position(tp) == records[-1].offset + 1):
                            for record in records:
                                self._fold(tp.partition, record.offset, record.value)
                    await self._release_due()
            except asyncio.CancelledError:
                raise
            except ProducerFenced:
                log.warning("aggregator fenced: another worker owns the contributions")
                async with self._lock:
                    await self._drop()
            except Exception as exc:  # reload from the last committed release
                log.error("aggregator failed: %s", type(exc).__name__)
                await asyncio.sleep(1.0)
                await self._reload()

    async def _reload(self) -> None:
        async with self._lock:
            if self._producer is None:
                return
            try:
                await self._load()
            except Exception as exc:  # tried again after the next failure
                log.error("aggregator reload failed: %s", type(exc).__name__)

    def _fold(self, partition: int, offset: int, value: bytes | None) -> None:
        """Count one record's contributions: [subject hash, time, key per metric] each."""
        self._next[partition] = offset + 1
        try:
            entries = codec.loads(value or b"")["c"]
        except (codec.DecodeError, KeyError, TypeError):
            return  # not ours to count; nothing identifies it in a log line
        if not isinstance(entries, list):
            return
        horizon = self._clock() + max(m.window_seconds for m in self._metrics)
        for entry in entries:
            try:
                subject, at, keys = str(entry[0]), float(entry[1]), list(entry[2])
            except (IndexError, TypeError, ValueError):
                continue
            for index, metric_key in enumerate(keys[:len(self._metrics)]):
                if isinstance(metric_key, str):
                    self._count(index, partition, offset, subject, at, metric_key, horizon)

    def _count(self, index: int, partition: int, offset: int, subject: str, at: float,
               key: str, horizon: float) -> None:
        start = self._bounder.window_of(index, at)
        if start < self._released[index] or at > horizon:  # released, or far future
            self._late[index] += 1
            return
        self._first.setdefault((index, start), {}).setdefault(partition, offset)
        if not self._bounder.add(index, at, subject, key):
            self._bounded_out[index] += 1

    async def _release_due(self) -> None:
        now = self._clock()
        out: list[tuple[bytes, bytes]] = []
        released: list[MetricRelease] = []
        for index, (metric, release) in enumerate(zip(self._metrics, self._releases,
                                                      strict=True)):
            while self._released[index] + metric.window_seconds + metric.grace_seconds <= now:
                start = self._released[index]
                window = self._bounder.pop(index, start)  # raw per-user state goes here
                self._first.pop((index, start), None)
                record = release_record(release, start, release(window.counts),
                                        released_at=now, policy=self._policy)
                out.append((f"{metric.name}/{start}".encode(), codec.dumps(record)))
                released.append(release)
                self._released[index] = start + metric.window_seconds
        if out:
            await self._commit(out)
            self.released_windows += len(out)
            for done in released:
                self.stats.releases.labels(done.spec.name).inc()
                self.stats.epsilon.labels(done.spec.name).inc(done.epsilon)
        self._flush_stats()

    def _flush_stats(self) -> None:
        for index, metric in enumerate(self._metrics):
            if self._late[index]:
                self.stats.late.labels(metric.name).inc(self._late[index])
            if self._bounded_out[index]:
                self.stats.bounded_out.labels(metric.name).inc(self._bounded_out[index])
        self._late = [0] * len(self._metrics)
        self._bounded_out = [0] * len(self._metrics)
        self.stats.users_held.set(self._bounder.users_held)

    def _replay_offsets(self) -> dict[int, int]:
        """Per partition, the first offset an open window needs, else the next one."""
        offsets = dict(self._next)
        for firsts in self._first.values():
            for partition, offset in firsts.items():
                offsets[partition] = min(offsets.get(partition, offset), offset)
        return offsets

    async def _commit(self, releases: list[tuple[bytes, bytes]]) -> None:
        """The releases and the state that marks them released, in one transaction."""
        producer = self._producer
        if producer is None:
            return
        state = {"v": STATE_VERSION,
                 "released": {m.name: r for m, r in zip(self._metrics, self._released,
                                                        strict=True)},
                 "offsets": {str(p): o for p, o in self._replay_offsets().items()}}
        async with producer.transaction():
            sends = [await producer.send(self._output, value, key=key)
                     for key, value in releases]
            sends.append(await producer.send(self._state_topic, codec.dumps(state),
                                             key=STATE_KEY, partition=0))
            # aiokafka commits even if a send failed for good (its commit waits for the
            # sends without looking at them): a failure here aborts the transaction.
            await asyncio.gather(*sends)


def aggregation_for(policy: Policy, settings: Settings, names: TopicNames,
                    subject_hash: Callable[[str], str], registry: CollectorRegistry | None,
                    **service: Any) -> tuple[ContributionTap | None, Aggregator | None]:
    """The data plane's tap and the aggregator for a policy; (None, None) without metrics."""
    plan = policy.aggregates
    if not plan.metrics:
        return None, None
    aggregator = Aggregator(
        plan=plan, policy_version=policy.version, bootstrap=settings.bootstrap_servers,
        group=f"{settings.app_id}-aggregates", topic=names.changelog(AGGREGATE_CONTRIBUTIONS),
        state_topic=names.changelog(AGGREGATE_STATE), output_topic=names.aggregates,
        security=settings.security, registry=registry, **service)
    return ContributionTap(plan, subject_hash), aggregator
