"""A worker on the real broker serves health, readiness, metrics and lag read from Kafka."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time

import orjson
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.observability.helpers import (
    create_spec_topics,
    http_get,
    metric_value,
    status_json,
    wait_until,
    web_url,
    worker_env,
)
from tests.kafkit import REPO, produce

pytestmark = pytest.mark.kafka

_NAME = re.compile(r"\b((?:kafka|logwarden)_[a-z0-9_]+)\b")


def referenced_metrics() -> set[str]:
    """Every metric name used by the alert rules and the Grafana dashboard."""
    rules = yaml.safe_load((REPO / "deploy/prometheus/alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((REPO / "deploy/grafana/logwarden.json").read_text())
    exprs += [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    exprs += [v["query"] for v in dashboard["templating"]["list"] if v["type"] == "query"]
    return {name for expr in exprs for name in _NAME.findall(expr)}


def exported_metrics(text: str) -> set[str]:
    """Sample names, plus the names a family exports once it has children."""
    names: set[str] = set()
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"),
                "gauge": ("",), "summary": ("_count", "_sum")}
    for family in text_string_to_metric_families(text):
        names.update(sample.name for sample in family.samples)
        names.update(family.name + s for s in suffixes.get(family.type, ("",)))
    return names


def test_health_readiness_metrics_and_lag(kafka_bootstrap, topic_prefix, worker_factory):
    group = f"{topic_prefix}app"
    create_spec_topics(kafka_bootstrap, topic_prefix, f"{topic_prefix}app")
    good = [orjson.dumps({"ip": f"198.51.100.{n}", "path": "/a", "n": n}) for n in range(40)]
    bad = [b"{not json", b"\xff\xfe", b"[1, 2"]
    asyncio.run(produce(kafka_bootstrap, f"{topic_prefix}logs.raw", good + bad))

    worker = worker_factory("--topic-prefix", topic_prefix, "--app-id", group,
                            env=worker_env())
    url = web_url(worker)
    wait_until("/healthz", lambda: http_get(f"{url}/healthz")[0] == 200, worker=worker)
    wait_until("/readyz 200", lambda: http_get(f"{url}/readyz")[0] == 200, worker=worker)

    def all_routed() -> bool:
        doc = status_json(worker)
        return doc["throughput"]["events_in_total"] == 43 and sum(doc["routes"].values()) >= 43

    wait_until("43 events routed", all_routed, worker=worker)

    def caught_up() -> dict[str, object] | None:
        doc = status_json(worker)
        raw = [p for p in doc["lag"]["partitions"] if p["topic"].endswith("logs.raw")]
        committed = [p for p in raw if p["committed"] is not None]
        fresh = doc["lag"]["sampled_at"] and time.time() - doc["lag"]["sampled_at"] < 5
        done = committed and sum(p["committed"] for p in committed) == 43
        return doc if fresh and done and all(p["lag"] == 0 for p in committed) else None

    doc = wait_until("lag sampled from the broker at zero", caught_up, worker=worker)
    assert doc["routes"]["deadletter"] >= 1  # invalid UTF-8 at least; text lines are events
    assert doc["lag"]["group_status"] == "OK"
    assert len(doc["recent_deadletters"]) >= 1

    forget = subprocess.run(
        [sys.executable, "-m", "streams", "forget", "subject-obs-1", "--broker",
         f"kafka://{kafka_bootstrap}", "--topic-prefix", topic_prefix, "--timeout", "60"],
        capture_output=True, text=True, timeout=90, check=False)
    assert forget.returncode == 0, forget.stderr

    def rights_counted() -> str | None:
        text = http_get(f"{url}/metrics")[1].decode()
        done = metric_value(text, "logwarden_rights_requests_total", kind="erase",
                            status="completed")
        return text if done == 1 else None

    text = wait_until("the erasure counted in /metrics", rights_counted, worker=worker)
    assert metric_value(text, "logwarden_rights_request_duration_seconds_count",
                        kind="erase") == 1
    raw = f"{topic_prefix}logs.raw"
    committed = [p for p in doc["lag"]["partitions"]
                 if p["topic"] == raw and p["committed"] is not None]
    for p in committed:
        labels = {"group": group, "topic": raw, "partition": str(p["partition"])}
        assert metric_value(text, "kafka_consumergroup_group_lag", **labels) == 0
        assert metric_value(text, "kafka_consumergroup_group_lag_seconds", **labels) == 0
        assert metric_value(text, "kafka_consumergroup_group_offset", **labels) == p["committed"]
        assert metric_value(text, "logwarden_consumer_partition_status", **labels) == 1
    assert metric_value(text, "kafka_consumergroup_group_max_lag", group=group) == 0
    assert metric_value(text, "kafka_consumergroup_group_sum_lag", group=group) == 0
    sampled = metric_value(text, "logwarden_lag_sample_timestamp_seconds")
    assert sampled is not None
    assert time.time() - sampled < 10
    assert metric_value(text, "logwarden_events_out_total", route="deadletter") >= 1
    assert metric_value(text, "logwarden_ready") == 1
    assert metric_value(text, "logwarden_transforms_total",
                        category="user.device.ip_address") == 40
    assert metric_value(text, "logwarden_event_e2e_latency_seconds_count") == 43
    assert metric_value(text, "logwarden_processing_seconds_count") == 43
    assert metric_value(text, "logwarden_rebalances_total") >= 1

    missing = referenced_metrics() - exported_metrics(text)
    assert not missing, f"dashboard/alerts reference metrics the worker does not export: {missing}"
