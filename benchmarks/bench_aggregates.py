"""Aggregation on vs off on the real broker, and aggregation state per 1M users.

1. `logwarden worker` (one process, at-least-once) over the same corpus of counting
   events (consented subjects, pages, logins, browsers) with the default policy
   (aggregation on) and with its `aggregates` section removed (off), on fresh topics,
   alternating; events/s from the group's committed offsets on logs.raw.
2. In process, the same events: routing cost per event with the contribution tap vs
   without (median of 5 alternating passes over 20,000 events, this process's CPU
   time), and the aggregator's fold cost per event (it runs in one process of the group).
3. The aggregator's per-user window state (ContributionBounder) for N users who each
   reach every metric's bound, measured with tracemalloc and scaled to 1M users; and
   the bytes one contribution record takes on the contributions topic.

    .venv/bin/python -m benchmarks.bench_aggregates [--events 30000] [--rounds 3] [--skip-stream]
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
from redactors import codec
from redactors.aggregates import ContributionBounder
from redactors.consent import ConsentState
from redactors.engine import load_engine
from redactors.keys import InMemoryKeyProvider
from redactors.policy import default_policy_path, load_policy
from streams.admin import create_topics
from streams.dataplane.aggregation import Aggregator
from streams.dataplane.contributions import ContributionTap
from streams.dataplane.router import Router
from streams.dataplane.tally import BatchTally
from streams.records import Route, SourceRef, TopicRecord
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


class _Consented:
    def get(self, subject_id: str) -> ConsentState:
        return ConsentState(subject_id=subject_id, analytics=True, profiling=True)


def _route_all(router: Router, events: list[bytes]) -> tuple[float, list[TopicRecord]]:
    keys, taken = InMemoryKeyProvider(), []
    start = time.process_time()  # this process's CPU: other load on the machine is not ours
    for i, raw in enumerate(events):
        router.records(raw, SourceRef("r", 0, i), keys, BatchTally("r", 0),
                       1_764_547_200_000 + i)
        if i % 1000 == 999:  # a fetched batch
            record = router.take_contributions()
            if record is not None:
                taken.append(record)
    return time.process_time() - start, taken


def hot_path(n: int = 20_000) -> tuple[float, float, float]:
    """µs per event: routing without the tap, with it, and the aggregator's fold."""
    engine = load_engine(None, InMemoryKeyProvider(), {}, allow_ephemeral=True)
    plan = engine.policy.aggregates
    outputs = {Route.ANALYTICS: "a", Route.IDENTIFIABLE: "i", Route.DEADLETTER: "d",
               Route.CONTRIBUTION: "c"}

    def router(tap: ContributionTap | None) -> Router:
        return Router(engine=engine, consent=_Consented(), is_suppressed=lambda _s: False,
                      on_child=lambda _s: None, outputs=outputs, tap=tap)

    events = [event(i) for i in range(n)]
    off, on, taken = [], [], []
    for _ in range(5):
        off.append(_route_all(router(None), events)[0])
        seconds, taken = _route_all(router(ContributionTap(plan, lambda s: "s1:" + s)), events)
        on.append(seconds)
    aggregator = Aggregator(plan=plan, policy_version="bench", bootstrap="127.0.0.1:9",
                            group="g", topic="t", state_topic="s", output_topic="o")
    aggregator._released = [0] * len(plan.metrics)  # every window open
    start = time.process_time()
    for offset, record in enumerate(taken):
        aggregator._fold(0, offset, record.value)
    fold = time.process_time() - start
    return (statistics.median(off) * 1e6 / n, statistics.median(on) * 1e6 / n, fold * 1e6 / n)


def state_per_million(users: int) -> tuple[float, int]:
    """Bytes of bounded per-user state per 1M users at the bounds, and one record's size."""
    plan = load_policy().aggregates
    bounder = ContributionBounder(plan.metrics)
    at = time.time()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for u in range(users):
        user = f"s1:{uuid.UUID(int=u).hex}{uuid.UUID(int=u).hex}"  # a keyed hash's size
        for index, metric in enumerate(plan.metrics):
            for k in range(metric.max_keys_per_user):
                bounder.add(index, at, user, f"/shop/item/{(u + k) % 300}" if index == 0
                            else (metric.public_keys or ("x",))[k % 3])
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    entry = [f"s1:{'0' * 64}", at, ["/shop/item/17", "FR", "Firefox"]]
    return used * 1_000_000 / users, len(codec.dumps(entry)) + 1


def stream(args: argparse.Namespace) -> None:
    run_id = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        off_policy = policy_without_aggregates(workdir)
        on, off = [], []
        for r in range(args.rounds):
            off.append(run(f"{run_id}-off{r}", args.events, workdir, off_policy))
            on.append(run(f"{run_id}-on{r}", args.events, workdir, None))
    ratio = statistics.median(on) / statistics.median(off)
    print(f"worker, aggregation on/off: median {statistics.median(on):,.0f} vs "
          f"{statistics.median(off):,.0f} events/s = {ratio:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-stream", action="store_true", help="in-process parts only")
    parser.add_argument("--users", type=int, default=200_000)
    args = parser.parse_args()
    if not args.skip_stream:
        stream(args)
    off, on, fold = hot_path()
    print(f"in process: routing {off:.1f} us/event without the tap, {on:.1f} with it "
          f"({(on / off - 1) * 100:+.1f} %); aggregator fold {fold:.1f} us/event")
    per_million, record = state_per_million(args.users)
    print(f"aggregator state at the bounds (3 metrics): {per_million / 2**20:,.0f} MiB per "
          f"1M users (measured on {args.users:,}); contributions topic: ~{record} B per "
          f"counting event (first in its batch) before compression")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
