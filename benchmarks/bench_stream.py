"""End-to-end stream benchmark on the real broker (not a timed test).

1. Passthrough: raw aiokafka consume-then-produce (acks=all), no processing.
2. `logwarden worker` over the same corpus, each on fresh topics: one process
   at-least-once, one process exactly-once, and `--processes 2` at-least-once;
   sustained events/s from the group's committed offsets on logs.raw.
3. Latency in both modes: events produced at half that mode's sustained rate; p50/p99
   of (time seen on logs.analytics, read_committed - time produced).

    .venv/bin/python -m benchmarks.bench_stream [--events 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams.admin import create_topics
from streams.topics import TopicNames, topic_specs

BOOTSTRAP = f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"
PARTITIONS = 4


def event(seq: int, sent: float | None = None) -> bytes:
    return orjson.dumps({"seq": seq, "user_id": f"u{seq % 5000}", "ip": f"198.51.100.{seq % 250}",
                         "ua": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
                         "path": f"/shop/item/{seq % 300}?ref=mail", "status": 200,
                         "message": "checkout ok" if seq % 5 else f"mail sent to b{seq}@ex.org",
                         "t": sent if sent is not None else 0.0})


async def produce(topic: str, n: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=10,
                                max_batch_size=256 * 1024)
    await producer.start()
    try:
        futures = [await producer.send(topic, event(i), partition=i % PARTITIONS)
                   for i in range(n)]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def end_total(consumer: AIOKafkaConsumer, topics: list[str]) -> int:
    parts = [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]
    return sum((await consumer.end_offsets(parts)).values())


async def passthrough(src: str, dst: str, n: int) -> float:
    consumer = AIOKafkaConsumer(src, bootstrap_servers=BOOTSTRAP, group_id=f"pt-{uuid.uuid4()}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    done, start = 0, None
    try:
        while done < n:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            for tp, records in batch.items():
                start = start or time.perf_counter()
                for r in records:
                    await producer.send(dst, r.value, key=r.key, partition=tp.partition)
                done += len(records)
            if batch:
                await producer.flush()
                await consumer.commit()
        assert start is not None
        return n / (time.perf_counter() - start)
    finally:
        await producer.stop()
        await consumer.stop()


def start_worker(names: TopicNames, workdir: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ,
           "LOGWARDEN_PSEUDONYM_KEYS": f"b1:{base64.b64encode(os.urandom(32)).decode()}",
           "LOGWARDEN_SUPPRESSION_KEY": f"s1:{base64.b64encode(os.urandom(32)).decode()}"}
    log = (workdir / f"worker-{names.app_id}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "streams", "worker", "--broker", f"kafka://{BOOTSTRAP}",
         "--topic-prefix", names.prefix, "--app-id", names.app_id, "--partitions",
         str(PARTITIONS), "--web-port", str(20000 + os.getpid() % 20000),
         "--data-dir", str(workdir / names.app_id), "--loglevel", "warning", *extra],
        stdout=log, stderr=subprocess.STDOUT, env=env)


async def committed_total(admin: AIOKafkaAdminClient, group: str, topic: str) -> int:
    offsets = await admin.list_consumer_group_offsets(group)
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset > 0)


async def worker_rate(names: TopicNames, n: int) -> float:
    """Events/s between the first and the last commit of the worker's group on raw."""
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        start = first = None
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            total = await committed_total(admin, names.app_id, names.raw)
            if total and start is None:
                start, first = time.perf_counter(), total
            if total >= n and start is not None and first is not None:
                return (n - first) / (time.perf_counter() - start)
            await asyncio.sleep(0.02)
        raise SystemExit("the worker did not finish within 600 s")
    finally:
        await admin.close()


async def latency(names: TopicNames, rate: float, seconds: float) -> list[float]:
    consumer = AIOKafkaConsumer(names.analytics, bootstrap_servers=BOOTSTRAP, group_id=None,
                                auto_offset_reset="latest", isolation_level="read_committed",
                                fetch_max_wait_ms=10)
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=1)
    await consumer.start()
    await producer.start()
    await asyncio.sleep(1.0)
    samples: list[float] = []

    async def feed() -> None:
        n, start = int(rate * seconds), time.perf_counter()
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await producer.send(names.raw, event(10**6 + i, time.time()),
                                partition=i % PARTITIONS)
        await producer.flush()

    async def collect() -> None:
        quiet = time.monotonic()
        while time.monotonic() - quiet < 3.0:
            batch = await consumer.getmany(timeout_ms=200)
            now = time.time()
            for records in batch.values():
                for r in records:
                    sent = orjson.loads(r.value).get("t") or 0.0
                    if sent:
                        samples.append(now - sent)
                quiet = time.monotonic()

    try:
        await asyncio.gather(feed(), collect())
    finally:
        await producer.stop()
        await consumer.stop()
    return samples


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def fresh_topics(run: str, tag: str, events: int) -> TopicNames:
    names = TopicNames(prefix=f"bench-{run}-{tag}.", app_id=f"bench-{run}-{tag}")
    asyncio.run(create_topics(BOOTSTRAP, topic_specs(names, PARTITIONS)))
    asyncio.run(produce(names.raw, events))
    return names


def run_worker(run: str, tag: str, args: argparse.Namespace, workdir: Path,
               *extra: str, latency_too: bool = True) -> float:
    names = fresh_topics(run, tag, args.events)
    worker = start_worker(names, workdir, *extra)
    try:
        rate = asyncio.run(worker_rate(names, args.events))
        print(f"logwarden worker ({tag}): {rate:,.0f} events/s", flush=True)
        if latency_too:
            feed = rate * args.latency_fraction
            samples = asyncio.run(latency(names, feed, args.latency_seconds))
            print(f"  latency at {feed:,.0f} events/s over {len(samples)} events: "
                  f"p50 {pct(samples, 50):.1f} ms, p99 {pct(samples, 99):.1f} ms", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--latency-seconds", type=float, default=15.0)
    parser.add_argument("--latency-fraction", type=float, default=0.5,
                        help="latency feed rate as a fraction of the sustained rate")
    parser.add_argument("--only", choices=["alo", "eos", "p2"], action="append",
                        help="run only these worker configurations (repeatable)")
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8]
    only = set(args.only or ["alo", "eos", "p2"])
    pt = fresh_topics(run, "pt", args.events)
    pass_rate = asyncio.run(passthrough(pt.raw, pt.analytics, args.events))
    print(f"passthrough (aiokafka consume->produce, acks=all): {pass_rate:,.0f} events/s",
          flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="logwarden-bench-"))
    rates = {}
    if "alo" in only:
        rates["alo"] = run_worker(run, "alo", args, workdir)
    if "eos" in only:
        rates["eos"] = run_worker(run, "eos", args, workdir, "--exactly-once")
    if "p2" in only:
        rates["p2"] = run_worker(run, "p2", args, workdir, "--processes", "2",
                                 latency_too=False)
    for tag, rate in rates.items():
        print(f"{tag}: {rate / pass_rate:.0%} of passthrough")
    if "alo" in rates and "p2" in rates:
        print(f"--processes 2 / 1 process: {rates['p2'] / rates['alo']:.2f}x")
    print(f"worker logs: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
