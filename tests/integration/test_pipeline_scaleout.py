"""Two workers in one consumer group share the partitions of one stream."""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request

import pytest

from tests.integration.pipeline_kit import (
    IP_LEAK,
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


def events_in_by_partition(args: list[str], raw: str) -> dict[int, float]:
    """The worker's own count of raw events per partition, from its /metrics."""
    port = args[args.index("--web-port") + 1]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    pattern = re.compile(r'^logwarden_events_in_total\{(.*)\} (\S+)$', re.M)
    out: dict[int, float] = {}
    for labels, value in pattern.findall(text):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if fields.get("topic") == raw and float(value) > 0:
            out[int(fields["partition"])] = float(value)
    return out


@pytest.mark.timeout(300)
def test_processes_2_split_the_partitions_and_lose_nothing(kafka_bootstrap, topic_prefix,
                                                           worker_factory):
    """`--processes 2`: one command, two data-plane processes of one group; process i
    serves its own metrics on web port + i."""
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(publish_consent(kafka_bootstrap, topic_prefix))
    parent = worker_factory(*worker_args(topic_prefix, "--processes", "2"), env=worker_env(),
                            name="pair")
    deadline = time.monotonic() + 90
    while parent.logs().count("Worker ready") < 2 and time.monotonic() < deadline:
        assert parent.alive(), parent.logs()[-3000:]
        time.sleep(0.5)
    assert parent.logs().count("Worker ready") >= 2  # once per process (again on rebalance)
    time.sleep(3)  # let both settle into one generation of the group
    seqs = range(EVENTS)
    refs = asyncio.run(produce_corpus(kafka_bootstrap, names_for(topic_prefix).raw, seqs))
    ledger = asyncio.run(read_outputs(kafka_bootstrap, topic_prefix, refs,
                                      expect=EVENTS - 200, timeout=180))
    counts = ledger.accounted(seqs)
    assert counts["missing"] == 0, counts
    assert sum(counts.values()) == EVENTS
    port = int(parent.args[parent.args.index("--web-port") + 1])
    shares = []
    for offset in (0, 1):
        args = ["--web-port", str(port + offset)]
        shares.append(events_in_by_partition(args, names_for(topic_prefix).raw))
    print(f"\nevents per raw partition, by process: {shares}")
    assert all(shares), "each process must own raw partitions"
    assert not set(shares[0]) & set(shares[1])
    assert set(shares[0]) | set(shares[1]) == {0, 1, 2, 3}
    assert sum(sum(share.values()) for share in shares) >= EVENTS
