"""Two workers in one consumer group share the partitions of one stream."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.integration.pipeline_kit import (
    IP_LEAK,
    events_in_by_partition,
    names_for,
    produce_corpus,
    publish_consent,
    read_outputs,
    setup_topics,
    worker_args,
    worker_env,
)
from tests.kafkit import wait_for_log

pytestmark = pytest.mark.kafka

EVENTS = 8_000


@pytest.mark.timeout(300)
def test_two_workers_share_one_stream(kafka_bootstrap, topic_prefix, worker_factory):
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(publish_consent(kafka_bootstrap, topic_prefix))
    env = worker_env()
    first = worker_factory(*worker_args(topic_prefix), env=env, name="a")
    second = worker_factory(*worker_args(topic_prefix), env=env, name="b")
    for worker in (first, second):
        wait_for_log(worker, "Worker ready", timeout=90)
    time.sleep(3)  # let the second join settle into one generation
    seqs = range(EVENTS)
    refs = asyncio.run(produce_corpus(kafka_bootstrap, names_for(topic_prefix).raw, seqs))
    ledger = asyncio.run(read_outputs(kafka_bootstrap, topic_prefix, refs,
                                      expect=EVENTS - 200, timeout=180))

    counts = ledger.accounted(seqs)
    assert counts["missing"] == 0, counts
    assert counts["leaked_dropped"] == 0, counts
    assert sum(counts.values()) == EVENTS
    assert first.alive()
    assert second.alive()
    shares = [events_in_by_partition(worker.args, names_for(topic_prefix).raw)
              for worker in (first, second)]
    print(f"\nevents per raw partition, by worker: {shares}")
    assert all(shares), "each worker must own raw partitions"
    assert not set(shares[0]) & set(shares[1])
    assert set(shares[0]) | set(shares[1]) == {0, 1, 2, 3}
    assert not IP_LEAK.search(b"\n".join(ledger.analytics_values))
