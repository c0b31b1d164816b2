"""What an access request reads as logs.identifiable grows, before and after identifiable
records were keyed to their subject's partition (not a timed test).

Two topics of the same shape grow side by side on the real broker: `before` places each
record in its raw record's partition (round robin, as unkeyed raw events arrive), `after`
in the partition its subject key hashes to (streams.partitioning, as the data plane does
now). At each size, `export`'s reader (streams.rights.reader.KeyReader) fetches a sample
of subjects: records read per export (the partitions it scans, whole) and seconds.

    .venv/bin/python -m benchmarks.bench_export [--partitions 8] [--sizes 20000,80000,320000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streams.partitioning import partition_for
from streams.rights.reader import KeyReader

BOOTSTRAP = f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"
SUBJECTS = 2000
SAMPLE = 5  # subjects exported per size and layout
VALUE = b"x" * 300  # about an encrypted identifiable record's size


async def _admin(create: list[str] | None = None, delete: list[str] | None = None,
                 partitions: int = 1) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        if create:
            await admin.create_topics([NewTopic(t, partitions, 1) for t in create])
        if delete:
            await admin.delete_topics(delete)
    finally:
        await admin.close()


async def _grow(before: str, after: str, start: int, stop: int, partitions: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=20,
                                max_batch_size=512 * 1024)
    await producer.start()
    try:
        futures = []
        for seq in range(start, stop):
            key = f"u{seq % SUBJECTS}".encode()
            futures.append(await producer.send(before, VALUE, key=key,
                                               partition=seq % partitions))
            futures.append(await producer.send(after, VALUE, key=key,
                                               partition=partition_for(key, partitions)))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def _export(reader: KeyReader, topic: str, key: bytes, partitions: int,
                  one: bool) -> tuple[int, int, float]:
    """(records held for the subject, records read, seconds) for one export's reads."""
    chosen = [partition_for(key, partitions)] if one else list(range(partitions))
    tps = [TopicPartition(topic, p) for p in chosen]
    consumer = reader._consumer  # the reader's own consumer: offsets of what it scans
    ends, starts = await consumer.end_offsets(tps), await consumer.beginning_offsets(tps)
    started = time.perf_counter()
    held = await reader.read(topic, key, chosen)
    seconds = time.perf_counter() - started
    return len(held), sum(ends[tp] - starts[tp] for tp in tps), seconds


async def main(partitions: int, sizes: list[int]) -> None:
    run = uuid.uuid4().hex[:8]
    before, after = f"bench-export-{run}.before", f"bench-export-{run}.after"
    await _admin(create=[before, after], partitions=partitions)
    try:
        await _measure(before, after, partitions, sizes)
    finally:  # the shared broker keeps no benchmark data
        await _admin(delete=[before, after])


async def _measure(before: str, after: str, partitions: int, sizes: list[int]) -> None:
    print(f"{partitions} partitions, {SUBJECTS} subjects; per export, mean of {SAMPLE}:")
    print(f"{'records in topic':>16} {'layout':>8} {'held':>5} {'records read':>13} "
          f"{'seconds':>8}")
    size = 0
    for target in sizes:
        await _grow(before, after, size, target, partitions)
        size = target
        async with KeyReader(BOOTSTRAP) as reader:
            for name, topic, one in (("before", before, False), ("after", after, True)):
                runs = [await _export(reader, topic, f"u{i * 397 % SUBJECTS}".encode(),
                                      partitions, one) for i in range(SAMPLE)]
                print(f"{size:>16,} {name:>8} {statistics.mean(r[0] for r in runs):>5.0f} "
                      f"{statistics.mean(r[1] for r in runs):>13,.0f} "
                      f"{statistics.mean(r[2] for r in runs):>8.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--sizes", default="20000,80000,320000")
    args = parser.parse_args()
    asyncio.run(main(args.partitions, [int(s) for s in args.sizes.split(",")]))
