"""A 30 s broker outage under a running worker: a handful of log lines, not thousands.

A broker of its own (LOGWARDEN_OUTAGE_KAFKA_PORT, default 9692), stopped for 30 s while
events flow. The worker logs the outage as one state change (its start and its end),
/readyz and the metrics say so meanwhile, the libraries' repeated errors collapse into
summaries, and nothing is lost.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator

import orjson
import pytest

from tests.integration.observability.helpers import (
    http_get,
    metric_value,
    status_json,
    wait_until,
    web_url,
)
from tests.integration.pipeline_kit import (
    PacedFeed,
    publish_consent,
    settle_accounting,
    setup_topics,
    wait_for_committed_end,
    wait_for_progress,
    worker_args,
    worker_env,
)
from tests.kafkit import OwnBroker

pytestmark = pytest.mark.kafka

PORT = int(os.environ.get("LOGWARDEN_OUTAGE_KAFKA_PORT", "9692"))
OUTAGE_SECONDS = 30
MAX_LINES = 50
EVENTS = 6000


@pytest.fixture(scope="module")
def outage_broker() -> Iterator[OwnBroker]:
    broker = OwnBroker(PORT)
    broker.start()
    try:
        yield broker
    finally:
        broker.run("stop")


def readyz(worker) -> dict[str, object]:
    _code, body = http_get(f"{web_url(worker)}/readyz")
    state: dict[str, object] = orjson.loads(body)
    return state


def metric(worker, name: str) -> float | None:
    _code, body = http_get(f"{web_url(worker)}/metrics")
    return metric_value(body.decode(), name)


@pytest.mark.timeout(900)
def test_a_broker_outage_is_one_state_change_in_few_lines(outage_broker, topic_prefix,
                                                          worker_factory):
    bootstrap = outage_broker.bootstrap
    asyncio.run(setup_topics(bootstrap, topic_prefix))
    asyncio.run(publish_consent(bootstrap, topic_prefix))
    env = {**worker_env(), "LOGWARDEN_LAG_INTERVAL": "1"}
    worker = worker_factory("--broker", f"kafka://{bootstrap}", *worker_args(topic_prefix),
                            env=env, name="outage")
    seqs = range(EVENTS)
    feed = PacedFeed(bootstrap, topic_prefix, seqs, per_second=150)
    asyncio.run(wait_for_progress(bootstrap, topic_prefix, at_least=EVENTS // 6,
                                  alive=worker.alive))
    wait_until("ready", lambda: readyz(worker)["ready"], worker=worker)
    before = len(worker.logs().splitlines())

    outage_broker.stop()
    stopped = time.monotonic()
    wait_until("/readyz to report the outage",
               lambda: readyz(worker).get("broker_unreachable_since"), worker=worker)
    assert readyz(worker)["ready"] is False
    assert metric(worker, "logwarden_broker_reachable") == 0
    broker_state = status_json(worker)["worker"]["broker"]
    assert broker_state["reachable"] is False
    assert broker_state["unreachable_since"] > 0
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    outage_broker.start(restart=True)

    wait_until("the end of the outage in the log",
               lambda: "broker reachable again after" in worker.logs(), timeout=180,
               worker=worker)
    lines = worker.logs().splitlines()[before:]
    end = next(i for i, line in enumerate(lines) if "broker reachable again after" in line)
    during = lines[:end + 1]
    print(f"\n{len(during)} log lines from the broker's stop to its return:\n"
          + "\n".join(during))
    assert len(during) < MAX_LINES
    started = [line for line in during if "broker unreachable since" in line]
    assert len(started) == 1
    assert sum("broker reachable again after" in line for line in during) == 1
    assert all(line.startswith("{") for line in during), "every line is a JSON record"

    refs = feed.join(timeout=240)
    # The group catches up after the outage: slowly on a loaded machine.
    asyncio.run(wait_for_committed_end(bootstrap, topic_prefix, timeout=360))
    counts, _duplicates = settle_accounting(bootstrap, topic_prefix, refs, seqs)
    print(f"accounted: {counts}")
    wait_until("ready again", lambda: readyz(worker)["ready"], worker=worker)
    assert metric(worker, "logwarden_broker_reachable") == 1
    assert metric(worker, "logwarden_broker_outages_total") == 1
    assert status_json(worker)["worker"]["broker"]["last_outage_seconds"] >= OUTAGE_SECONDS
    assert worker.alive()
