"""`logwarden lag` reads the broker with no worker running and exits 1 past a threshold."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.kafkit import create_topics, produce

pytestmark = pytest.mark.kafka


async def commit(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    finally:
        await consumer.stop()


async def consume_partition_counts(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(2)]
        ends = await consumer.end_offsets(tps)
        return {tp.partition: end for tp, end in ends.items()}
    finally:
        await consumer.stop()


def run_lag(bootstrap: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "streams", "lag", "--broker", f"kafka://{bootstrap}",
         "--samples", "2", "--interval", "0.2", *args],
        capture_output=True, text=True, timeout=60, check=False)


def test_lag_table_and_thresholds(kafka_bootstrap, topic_prefix):
    raw, group = f"{topic_prefix}logs.raw", f"{topic_prefix}app"
    asyncio.run(create_topics(kafka_bootstrap, [raw], partitions=2))
    asyncio.run(produce(kafka_bootstrap, raw, [b"{}"] * 12, keys=[b"k"] * 12))
    loaded = asyncio.run(consume_partition_counts(kafka_bootstrap, raw))
    busy = max(loaded, key=lambda p: loaded[p])
    asyncio.run(commit(kafka_bootstrap, group, {TopicPartition(raw, busy): 4}))

    ok = run_lag(kafka_bootstrap, "--group", group, "--topic-prefix", topic_prefix,
                 "--max", "100", "--max-seconds", "3600")
    assert ok.returncode == 0, ok.stderr
    rows = [line.split() for line in ok.stdout.splitlines()]
    assert rows[0] == ["TOPIC", "PARTITION", "COMMITTED", "LATEST", "LAG", "LAG-SECONDS",
                       "STATUS"]
    by_partition = {row[1]: row for row in rows[1:3]}
    assert by_partition[str(busy)][2:5] == ["4", "12", "8"]
    assert float(by_partition[str(busy)][5]) >= 0
    # No member holds the group: Burrow's view of a consumer that went away.
    assert by_partition[str(busy)][6] == "STOP"
    # The idle partition has no commit: no lag at all, not a false zero or -1.
    assert by_partition[str(1 - busy)][2:7] == ["-", "0", "-", "-", "NOTFOUND"]

    crossed = run_lag(kafka_bootstrap, "--group", group, "--max", "3")
    assert crossed.returncode == 1
    assert "threshold crossed" in crossed.stderr
    too_old = run_lag(kafka_bootstrap, "--group", group, "--max-seconds", "0")
    assert too_old.returncode == 1


def test_unknown_group_is_one_clear_line(kafka_bootstrap, topic_prefix):
    result = run_lag(kafka_bootstrap, "--group", f"{topic_prefix}nobody")
    assert result.returncode != 0
    assert "has no committed offsets" in result.stderr
    assert "Traceback" not in result.stderr
