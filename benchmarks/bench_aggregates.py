"""Aggregation on vs off on the real broker, and aggregation state per 1M users.

1. `logwarden worker` (one process, at-least-once) over the same corpus of counting
   events (consented subjects, pages, logins, browsers) with the default policy
   (aggregation on) and with its `aggregates` section removed (off), on fresh topics,
   alternating; events/s from the group's committed offsets on logs.raw.
2. The aggregator's per-user window state (ContributionBounder) for N users who each
   reach every metric's bound, measured with tracemalloc and scaled to 1M users; and
   the bytes one contribution record takes on the contributions topic.

    .venv/bin/python -m benchmarks.bench_aggregates [--events 30000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import orjson
import yaml
from aiokafka import AIOKafkaProducer

from benchmarks.bench_stream import BOOTSTRAP, PARTITIONS, start_worker, worker_rate
from redactors.aggregates import ContributionBounder
from redactors.policy import default_policy_path, load_policy
from schemas import codec
from streams.admin import create_topics
from streams.topics import TopicNames, topic_specs

SUBJECTS = 5000
AGENTS = ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")


def event(seq: int) -> bytes:
    return orjson.dumps({
        "event": "login" if seq % 4 == 0 else "page_view", "user_id": f"u{seq % SUBJECTS}",
        "ip": f"198.51.100.{seq % 250}", "geo": {"country": ("FR", "DE", "US")[seq % 3]},
        "user_agent": AGENTS[seq % 2], "url": f"/shop/item/{seq % 300}?ref=mail",
        "message": "checkout ok", "ts": "2026-11-25T10:00:00Z"})


async def produce(names: TopicNames, n: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", linger_ms=10,
                                max_batch_size=256 * 1024)
    await producer.start()
    try:
        consent = [await producer.send(names.consent, orjson.dumps(
            {"subject_id": f"u{i}", "analytics": True, "profiling": i % 2 == 0,
             "marketing": False, "updated_at": "2026-11-01T00:00:00Z"}),
            key=f"u{i}".encode()) for i in range(SUBJECTS)]
        await asyncio.gather(*consent)
        futures = [await producer.send(names.raw, event(i), partition=i % PARTITIONS)
                   for i in range(n)]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def policy_without_aggregates(workdir: Path) -> Path:
    document = yaml.safe_load(default_policy_path().read_text(encoding="utf-8"))
    del document["aggregates"]
    path = workdir / "policy-off.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def run(tag: str, events: int, workdir: Path, policy: Path | None) -> float:
    names = TopicNames(prefix=f"bench-agg-{tag}.", app_id=f"bench-agg-{tag}")
    asyncio.run(create_topics(BOOTSTRAP, topic_specs(names, PARTITIONS)))
    asyncio.run(produce(names, events))
    extra = ("--policy", str(policy)) if policy is not None else ()
    worker = start_worker(names, workdir, *extra)
    try:
        rate = asyncio.run(worker_rate(names, events))
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    print(f"  {tag}: {rate:,.0f} events/s", flush=True)
    return rate


def state_per_million(users: int) -> tuple[float, int]:
    """Bytes of bounded per-user state per 1M users at the bounds, and one record's size."""
    plan = load_policy().aggregates
    bounder = ContributionBounder(plan.metrics)
    at = time.time()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for u in range(users):
        user = f"s1:{uuid.UUID(int=u).hex}{uuid.UUID(int=u).hex}".encode()  # a hash's size
        for index, metric in enumerate(plan.metrics):
            for k in range(metric.max_keys_per_user):
                bounder.add(index, at, user, f"/shop/item/{(u + k) % 300}" if index == 0
                            else (metric.public_keys or ("x",))[k % 3])
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    record = len(codec.dumps({"t": at, "k": ["/shop/item/17", "FR", "Firefox"]}))
    return used * 1_000_000 / users, record + 71  # + the 71-char key (kid:sha256 hex)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--users", type=int, default=200_000)
    args = parser.parse_args()
    run_id = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        off_policy = policy_without_aggregates(workdir)
        on, off = [], []
        for r in range(args.rounds):
            off.append(run(f"{run_id}-off{r}", args.events, workdir, off_policy))
            on.append(run(f"{run_id}-on{r}", args.events, workdir, None))
    ratio = statistics.median(on) / statistics.median(off)
    print(f"aggregation on/off: median {statistics.median(on):,.0f} vs "
          f"{statistics.median(off):,.0f} events/s = {ratio:.2f} "
          f"({(1 - ratio) * 100:+.0f} % slower)")
    per_million, record = state_per_million(args.users)
    print(f"aggregator state at the bounds (3 metrics): {per_million / 2**20:,.0f} MiB per "
          f"1M users (measured on {args.users:,}); contributions topic: ~{record} B per "
          f"counting event before compression")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
