"""Export lag snapshots under kafka-lag-exporter's names, plus Burrow status."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from streams.observability.lag import LagSnapshot

__all__ = ["LagCollector"]

_PARTITION = ["group", "topic", "partition"]


class LagCollector(Collector):
    """Renders the latest snapshot at scrape time; a partition with no commit has no lag
    series, and a partition that left the group leaves no stale series behind."""

    def __init__(self, latest: Callable[[], LagSnapshot | None]) -> None:
        self._latest = latest

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # no samples at registration time: the collector is read per scrape

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = self._latest()
        g = _families()
        if snap is not None:
            for p in snap.partitions:
                labels = [snap.group, p.topic, str(p.partition)]
                g["latest"].add_metric(labels[1:], p.latest)
                g["status"].add_metric(labels, int(p.status))
                if p.committed is None or p.lag is None:
                    continue
                g["offset"].add_metric(labels, p.committed)
                g["lag"].add_metric(labels, p.lag)
                if p.lag_seconds is not None:
                    g["lag_seconds"].add_metric(labels, p.lag_seconds)
                if p.last_moved is not None:
                    g["moved"].add_metric(labels, p.last_moved)
            group = [snap.group]
            g["max_lag"].add_metric(group, snap.max_lag)
            g["max_lag_seconds"].add_metric(group, snap.max_lag_seconds)
            g["sum_lag"].add_metric(group, snap.sum_lag)
            g["group_status"].add_metric(group, int(snap.status))
            g["members"].add_metric(group, snap.members)
        yield from g.values()


def _families() -> dict[str, GaugeMetricFamily]:
    def gauge(name: str, doc: str, labels: list[str] = _PARTITION) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, doc, labels=labels)

    return {
        "offset": gauge("kafka_consumergroup_group_offset", "Committed offset."),
        "latest": gauge("kafka_partition_latest_offset", "High watermark.",
                        ["topic", "partition"]),
        "lag": gauge("kafka_consumergroup_group_lag",
                     "High watermark minus committed offset, at least 0."),
        "lag_seconds": gauge("kafka_consumergroup_group_lag_seconds",
                             "Age of the record at the committed offset; 0 when caught up."),
        "max_lag": gauge("kafka_consumergroup_group_max_lag", "Largest partition lag.",
                         ["group"]),
        "max_lag_seconds": gauge("kafka_consumergroup_group_max_lag_seconds",
                                 "Largest partition time lag.", ["group"]),
        "sum_lag": gauge("kafka_consumergroup_group_sum_lag", "Sum of partition lags.",
                         ["group"]),
        "status": gauge("logwarden_consumer_partition_status",
                        "Burrow status: 0 NOTFOUND 1 OK 2 WARN 4 STOP 5 STALL 6 REWIND."),
        "group_status": gauge("logwarden_consumer_group_status",
                              "Burrow group status: 0 NOTFOUND 1 OK 2 WARN 3 ERR.", ["group"]),
        "moved": gauge("logwarden_consumer_last_commit_timestamp_seconds",
                       "When the committed offset was last seen to move."),
        "members": gauge("logwarden_consumer_group_members", "Live group members.",
                         ["group"]),
    }
