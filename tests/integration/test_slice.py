"""The worker consumes logs.raw from the real broker and emits truncated IPs to analytics."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from tests.integration.pipeline_kit import (
    names_for,
    produce_keyed,
    setup_topics,
    worker_args,
    worker_env,
)
from tests.kafkit import consume, produce

pytestmark = pytest.mark.kafka

CONSENT = orjson.dumps({"subject_id": "s1", "analytics": True, "profiling": True,
                        "marketing": False, "updated_at": "2026-11-01T00:00:00Z"})


def test_worker_truncates_ip_on_the_real_broker(kafka_bootstrap, topic_prefix, worker_factory):
    names = names_for(topic_prefix)
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(produce_keyed(kafka_bootstrap, names.consent, [(b"s1", CONSENT)]))
    events = [orjson.dumps({"user_id": "s1", "ip": f"203.0.113.{n}", "path": "/home", "n": n})
              for n in range(1, 51)]
    asyncio.run(produce(kafka_bootstrap, names.raw, events))

    worker_factory(*worker_args(topic_prefix), env=worker_env())
    got = asyncio.run(consume(kafka_bootstrap, [names.analytics], expect=50, timeout=90))

    records = [orjson.loads(value) for _, value in got[names.analytics]]
    assert sorted(r["n"] for r in records) == list(range(1, 51))
    assert {r["ip"]["network"] for r in records} == {"203.0.113.0/24"}
    assert b"203.0.113.1" not in b"".join(value for _, value in got[names.analytics])
