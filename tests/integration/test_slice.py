"""The worker consumes logs.raw from the real broker and emits truncated IPs to analytics."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from tests.kafkit import consume, create_topics, produce

pytestmark = pytest.mark.kafka


def test_worker_truncates_ip_on_the_real_broker(kafka_bootstrap, topic_prefix, worker_factory):
    raw, analytics = f"{topic_prefix}logs.raw", f"{topic_prefix}logs.analytics"
    asyncio.run(create_topics(kafka_bootstrap, [raw, analytics]))
    events = [
        orjson.dumps({"ip": f"203.0.113.{n}", "path": "/home", "n": n}) for n in range(1, 51)
    ]
    asyncio.run(produce(kafka_bootstrap, raw, events))

    worker_factory("--topic-prefix", topic_prefix, "--app-id", f"{topic_prefix}app")
    got = asyncio.run(consume(kafka_bootstrap, [analytics], expect=50, timeout=90))

    records = [orjson.loads(value) for _, value in got[analytics]]
    assert sorted(r["n"] for r in records) == list(range(1, 51))
    assert {r["ip"] for r in records} == {"203.0.113.0"}
