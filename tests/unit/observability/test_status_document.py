"""The status document: never-written partitions read as idle, not as a fault."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from streams.observability.burrow import Status
from streams.observability.health import Readiness
from streams.observability.history import History
from streams.observability.labels import DEFAULT_CATEGORIES, LabelGuard
from streams.observability.lag import LagSnapshot, PartitionLag
from streams.observability.metrics import PipelineMetrics
from streams.observability.observer import PipelineObserver
from streams.observability.status import Throughput, status_document


def partition(n: int, *, latest: int, committed: int | None, status: Status) -> PartitionLag:
    lag = None if committed is None else latest - committed
    return PartitionLag(topic="privacy.requests", partition=n, committed=committed,
                        latest=latest, lag=lag, lag_seconds=None, status=status,
                        last_moved=None)


def document(*parts: PartitionLag) -> dict[str, object]:
    observer = PipelineObserver(PipelineMetrics(CollectorRegistry()),
                                LabelGuard(DEFAULT_CATEGORIES))
    snap = LagSnapshot(group="g", taken_at=1.0, members=1, partitions=parts)
    return status_document(group="g", observer=observer, throughput=Throughput(),
                           readiness=Readiness(), lag=snap, lag_sampled_at=1.0,
                           worker={"policy_version": "v1"}, history=History())


def test_never_written_partitions_are_idle():
    doc = document(partition(0, latest=0, committed=None, status=Status.NOTFOUND),
                   partition(1, latest=0, committed=None, status=Status.NOTFOUND))
    assert [p["status"] for p in doc["lag"]["partitions"]] == ["IDLE", "IDLE"]
    assert doc["lag"]["group_status"] == "IDLE"
    assert doc["worker"] == {"policy_version": "v1"}
    assert doc["history"]["t"] == []


def test_written_but_never_committed_stays_notfound():
    doc = document(partition(0, latest=5, committed=None, status=Status.NOTFOUND),
                   partition(1, latest=0, committed=None, status=Status.NOTFOUND),
                   partition(2, latest=9, committed=9, status=Status.OK))
    assert [p["status"] for p in doc["lag"]["partitions"]] == ["NOTFOUND", "IDLE", "OK"]
    assert doc["lag"]["group_status"] == "OK"
