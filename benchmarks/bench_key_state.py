"""Subject keys at scale: loading N per-subject keys from the keys changelog, before and after.

N key records (`{p}/{subject}` -> 32 random bytes, as the data plane writes them) are
produced to a fresh keys changelog on the local broker, spread over its partitions.
Then, each in a fresh process (`streams.dataplane.keys.KeyStore` as the worker holds it):

1. in memory (`LOGWARDEN_KEY_STORE=memory`, how keys were held before): every
   assignment reads the whole changelog into dicts;
2. the LMDB store, first load: the same read, each key wrapped and stored;
3. the LMDB store, restart on its checkpoint: only the tail is read.

Reported: load time, records read, the process's private memory before and after (RSS
split as /proc/PID/smaps_rollup splits it), the store's disk, and lookups of random
subjects through a cold cache.

    .venv/bin/python -m benchmarks.bench_key_state [--subjects 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from benchmarks.bench_state import produce
from benchmarks.bench_state_store import disk_bytes, memory_kib
from benchmarks.bench_stream import BOOTSTRAP, PARTITIONS
from streams.admin import create_topics
from streams.topics import KEYS_TABLE, TopicNames, topic_specs

LOOKUPS = 20_000


def subject(i: int) -> str:
    return f"user-{i:09d}"


def key_records(n: int) -> list[tuple[bytes | None, bytes]]:
    """Record i goes to partition i % PARTITIONS (bench_state.produce, not keyed)."""
    return [(f"{i % PARTITIONS}/{subject(i)}".encode(), os.urandom(32)) for i in range(n)]


def measure(mode: str, changelog: str, state: str, n: int, suppression_key: str,
            results: multiprocessing.Queue[dict[str, float]]) -> None:
    """One load in this (fresh) process; the figures go to `results`."""
    from streams.dataplane.keys import KeyStore
    from streams.settings import Settings
    from streams.state.build import key_table

    settings = Settings(state_dir=state, partitions=PARTITIONS,
                        key_store="memory" if mode == "memory" else "lmdb")
    env = {"LOGWARDEN_SUPPRESSION_KEY": suppression_key}
    keys = KeyStore(BOOTSTRAP, changelog, lambda: None,
                    table=key_table(settings, changelog, env=env))
    read: list[int] = []

    class Counting:  # the load's own log line carries the count
        def filter(self, record: object) -> bool:
            extra = getattr(record, "records_read", None)
            if extra is not None:
                read.append(extra)
            return True

    logging.getLogger("streams.dataplane.keys").addFilter(Counting())  # type: ignore[arg-type]
    logging.getLogger("streams.dataplane.keys").setLevel(logging.INFO)
    before = memory_kib()["private"]

    async def run() -> dict[str, float]:
        started = time.perf_counter()
        await keys.load(range(PARTITIONS))
        seconds = time.perf_counter() - started
        after = memory_kib()["private"]
        rng = random.Random(15)
        picks = [(i % PARTITIONS, subject(i)) for i in
                 (rng.randrange(n) for _ in range(LOOKUPS))]
        t = time.perf_counter()
        found = sum(keys[p].get(s) is not None for p, s in picks)
        lookup = (time.perf_counter() - t) / LOOKUPS
        await keys.stop()
        return {"seconds": seconds, "records": read[-1] if read else -1,
                "before_kib": before, "after_kib": after, "lookup_us": lookup * 1e6,
                "found": found}

    results.put(asyncio.run(run()))


def run_one(mode: str, changelog: str, state: str, n: int, key: str) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[dict[str, float]] = context.Queue()
    process = context.Process(target=measure, args=(mode, changelog, state, n, key, results))
    process.start()
    figures = results.get(timeout=3600)
    process.join()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8]
    names = TopicNames(prefix=f"bench-keys-{run}.", app_id=f"bench-keys-{run}")
    changelog = names.changelog(KEYS_TABLE)
    asyncio.run(create_topics(BOOTSTRAP, topic_specs(names, PARTITIONS)))
    started = time.perf_counter()
    asyncio.run(produce(changelog, key_records(args.subjects), keyed=False))
    print(f"{args.subjects:,} key records produced in {time.perf_counter() - started:.0f} s "
          f"(run {run})", flush=True)
    state = tempfile.mkdtemp(prefix="logwarden-bench-keys-")
    key = f"s1:{base64.b64encode(os.urandom(32)).decode()}"
    for label, mode in (("in memory (before)", "memory"), ("LMDB, first load", "lmdb"),
                        ("LMDB, restart on the checkpoint", "lmdb")):
        f = run_one(mode, changelog, state, args.subjects, key)
        print(f"{label}: {f['records']:,} records read in {f['seconds']:.1f} s; private "
              f"memory {f['before_kib'] / 1024:,.0f} -> {f['after_kib'] / 1024:,.0f} MiB "
              f"({(f['after_kib'] - f['before_kib']) * 1024 / args.subjects:,.0f} B/key); "
              f"{f['lookup_us']:.1f} µs a lookup of a random subject ({f['found']:,} of "
              f"{LOOKUPS:,} found)", flush=True)
    print(f"store on disk: {disk_bytes(Path(state)) / 2**20:,.0f} MiB", flush=True)

    async def delete() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
        await admin.start()
        try:
            topics = [t for t in await admin.list_topics() if t.startswith(names.prefix)
                      or t.startswith(names.app_id)]
            await admin.delete_topics(topics)
        finally:
            await admin.close()

    asyncio.run(delete())
    return 0


if __name__ == "__main__":
    sys.exit(main())
