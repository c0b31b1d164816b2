"""PII-laden events, good and bad, leave no known PII value in worker logs or /metrics."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from tests.integration.observability.helpers import (
    create_spec_topics,
    http_get,
    status_json,
    wait_until,
    web_url,
    worker_env,
)
from tests.kafkit import produce

pytestmark = pytest.mark.kafka

PII = {
    "email": "carol.pii-canary@example.org",
    "name": "Zebulon Quartermaine",
    "ip": "203.0.113.77",
    "ipv6": "2001:db8:abcd:12::77",
    "phone": "+1 415 555 0199",
    "session": "sess-7f3a9c1d2e4b5a6f",
    "user": "user-canary-31337",
    "card": "4111 1111 1111 1111",
}


def events() -> list[bytes]:
    good = [orjson.dumps({
        "ip": PII["ip"], "user_id": PII["user"], "session_id": PII["session"],
        "email": PII["email"], "name": PII["name"], "path": f"/p?email={PII['email']}",
        "message": f"login by {PII['name']} from {PII['ipv6']} tel {PII['phone']}",
    })] * 5
    bad = [
        f'{{"email": "{PII["email"]}", "name": "{PII["name"]}"'.encode(),  # truncated JSON
        f"plain text line from {PII['email']} card {PII['card']}".encode(),
        orjson.dumps({"ip": {"nested": PII["ip"]}, "email": 12345, "name": [PII["name"]]}),
        orjson.dumps({"ip": f"not-an-ip {PII['ip']}x", "user_id": PII["user"]}),
        b"\xff\xfe" + PII["email"].encode(),  # invalid UTF-8
        orjson.dumps(PII["email"]),  # JSON, but not an object
        ("[" * 200 + f'"{PII["email"]}"' + "]" * 200).encode(),  # deeply nested
    ]
    return good + bad


def test_no_pii_value_in_logs_or_metrics(kafka_bootstrap, topic_prefix, worker_factory):
    create_spec_topics(kafka_bootstrap, topic_prefix, f"{topic_prefix}app")
    sent = events()
    asyncio.run(produce(kafka_bootstrap, f"{topic_prefix}logs.raw", sent))
    worker = worker_factory("--topic-prefix", topic_prefix, "--app-id", f"{topic_prefix}app",
                            "--loglevel", "debug", env=worker_env())
    url = web_url(worker)
    wait_until("every event taken in",
               lambda: status_json(worker)["throughput"]["events_in_total"] >= len(sent),
               worker=worker)
    wait_until("every event routed",
               lambda: sum(status_json(worker)["routes"].values()) >= len(sent), worker=worker)
    metrics = http_get(f"{url}/metrics")[1].decode()
    status = http_get(f"{url}/status.json")[1].decode()
    worker.stop()
    logs = worker.logs()

    assert len(logs.splitlines()) > 20  # the worker did log, at debug level
    for line in logs.splitlines():
        orjson.loads(line)  # JSON lines, every one
    for kind, value in PII.items():
        for where, text in (("logs", logs), ("metrics", metrics), ("status", status)):
            for form in {value, value.lower(), value.replace(" ", "")}:
                assert form not in text, f"{kind} value leaked into the worker's {where}"
