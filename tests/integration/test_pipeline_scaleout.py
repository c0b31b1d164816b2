"""Workers in one consumer group share the partitions of one stream, also while workers
are added and removed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.integration.pipeline_kit import (
    IP_LEAK,
    PARTITIONS,
    PacedFeed,
    events_in_by_partition,
    names_for,
    produce_corpus,
    publish_consent,
    read_outputs,
    settle_accounting,
    setup_topics,
    wait_for_progress,
    worker_args,
    worker_env,
)
from tests.kafkit import wait_for_log

pytestmark = pytest.mark.kafka

EVENTS = 8_000
SCALE_EVENTS = 15_000  # at most: 3,000, then 50 a second until the newcomer routes


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


async def sources_in_order(bootstrap: str, prefix: str) -> dict[tuple[str, int, int], list[int]]:
    """(route topic, output partition, input partition) -> the input offsets (`lw-src`) of
    its outputs, in the order a read_committed consumer sees them, to the end."""
    names = names_for(prefix)
    parts = [TopicPartition(topic, p) for p in range(PARTITIONS)
             for topic in (names.analytics, names.identifiable, names.deadletter)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, isolation_level="read_committed")
    await consumer.start()
    got: dict[tuple[str, int, int], list[int]] = {}
    try:
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, records in batch.items():
                for record in records:
                    part, _, offset = dict(record.headers)["lw-src"].decode().partition(":")
                    got.setdefault((tp.topic, tp.partition, int(part)), []).append(int(offset))
    finally:
        await consumer.stop()
    return got


def feed_until(bootstrap: str, raw: str, seqs: range, done: Callable[[], bool],
               timeout: float = 240.0) -> tuple[range, dict[str, int]]:
    """Produce chunks of 50 events from `seqs` about once a second until `done()` holds
    (and one chunk more), so that records flow the whole time; the seqs used and refs."""
    refs: dict[str, int] = {}
    deadline = time.monotonic() + timeout
    start = stop = seqs.start
    finishing = False
    while stop < seqs.stop and time.monotonic() < deadline:
        refs |= asyncio.run(produce_corpus(bootstrap, raw, range(stop, stop + 50)))
        stop += 50
        if finishing:
            return range(start, stop), refs
        finishing = done()
        time.sleep(1.0)
    raise AssertionError("the condition never held while the feed ran")


@pytest.mark.timeout(480)
def test_three_workers_one_leaves_one_joins_mid_stream(kafka_bootstrap, topic_prefix,
                                                       worker_factory):
    """Scale-out under exactly-once: three workers share the stream, one is removed (its
    partitions move to the other two) and a fourth added while records flow. No input is
    lost or duplicated, and each output partition holds each input partition's records
    in offset order."""
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(publish_consent(kafka_bootstrap, topic_prefix))
    env, raw = worker_env(), names_for(topic_prefix).raw
    args = worker_args(topic_prefix, "--exactly-once")
    workers = [worker_factory(*args, env=env, name=name) for name in ("a", "b", "c")]
    for worker in workers:
        wait_for_log(worker, "Worker ready", timeout=180)
    first = range(3_000)
    feed = PacedFeed(kafka_bootstrap, topic_prefix, first, per_second=300)
    asyncio.run(wait_for_progress(kafka_bootstrap, topic_prefix, at_least=len(first) // 4,
                                  alive=workers[0].alive))
    leaving = next(w for w in workers if events_in_by_partition(w.args, raw))
    leaving.stop(timeout=60)  # scale in: SIGTERM, as Kubernetes does
    assert leaving.proc is not None
    assert leaving.proc.returncode == 0, leaving.logs()[-3000:]
    refs = feed.join(timeout=120)
    joining = worker_factory(*args, env=env, name="d")  # scale out, while records flow

    def joined() -> bool:
        try:
            return bool(events_in_by_partition(joining.args, raw))
        except OSError:  # not serving yet
            return False

    second, more = feed_until(kafka_bootstrap, raw, range(first.stop, SCALE_EVENTS), joined)
    refs |= more
    seqs = range(second.stop)
    counts, duplicates = settle_accounting(kafka_bootstrap, topic_prefix, refs, seqs)
    print(f"\nthree workers, one out, one in (exactly once): {counts}, "
          f"duplicates={duplicates}")
    assert duplicates == 0
    remaining = [w for w in [*workers, joining] if w is not leaving]
    assert all(w.alive() for w in remaining)

    order = asyncio.run(sources_in_order(kafka_bootstrap, topic_prefix))
    assert sum(len(offsets) for offsets in order.values()) >= len(seqs) // 2
    for (topic, partition, source), offsets in order.items():
        assert offsets == sorted(set(offsets)), (
            f"{topic}[{partition}]: inputs of raw partition {source} out of order")
