"""Lag series follow kafka-lag-exporter's names; no series where nothing was committed."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from streams.observability.burrow import Status
from streams.observability.exporter import LagCollector
from streams.observability.lag import LagSnapshot, PartitionLag


def snapshot() -> LagSnapshot:
    rows = (
        PartitionLag(topic="logs.raw", partition=0, committed=90, latest=100, lag=10,
                     lag_seconds=4.5, status=Status.WARN, last_moved=1000.0),
        PartitionLag(topic="logs.raw", partition=1, committed=None, latest=7, lag=None,
                     lag_seconds=None, status=Status.NOTFOUND, last_moved=None),
        PartitionLag(topic="logs.raw", partition=2, committed=50, latest=50, lag=0,
                     lag_seconds=0.0, status=Status.OK, last_moved=990.0),
    )
    return LagSnapshot(group="g", taken_at=1001.0, members=1, partitions=rows)


def scrape(snap: LagSnapshot | None) -> str:
    registry = CollectorRegistry()
    registry.register(LagCollector(lambda: snap))
    return generate_latest(registry).decode()


def test_partition_series():
    text = scrape(snapshot())
    assert 'kafka_consumergroup_group_lag{group="g",partition="0",topic="logs.raw"} 10.0' in text
    assert ('kafka_consumergroup_group_lag_seconds{group="g",partition="0",topic="logs.raw"}'
            ' 4.5') in text
    assert 'kafka_partition_latest_offset{partition="1",topic="logs.raw"} 7.0' in text
    assert 'logwarden_consumer_partition_status{group="g",partition="0",topic="logs.raw"} 2.0' \
        in text


def test_no_lag_series_without_a_commit():
    lines = [line for line in scrape(snapshot()).splitlines() if 'partition="1"' in line]
    assert all(not line.startswith("kafka_consumergroup") for line in lines)


def test_group_aggregates():
    text = scrape(snapshot())
    assert 'kafka_consumergroup_group_max_lag{group="g"} 10.0' in text
    assert 'kafka_consumergroup_group_sum_lag{group="g"} 10.0' in text
    assert 'kafka_consumergroup_group_max_lag_seconds{group="g"} 4.5' in text
    assert 'logwarden_consumer_group_status{group="g"} 2.0' in text


def test_nothing_before_the_first_sample():
    assert "kafka_consumergroup_group_lag{" not in scrape(None)
