"""State at scale: the consent view and suppression list of N synthetic subjects.

1. N consent events are produced to a fresh privacy.consent and E entries (other
   subjects, erased) to the suppression changelog; raw events are produced in
   phases: a warm-up and then, twice each, events of 1,000 subjects (always cached)
   and events of subjects drawn from all N (mostly cache misses read from the store).
2. `logwarden worker` (LMDB stores) starts on it: time from start to ready (both views
   loaded),
   resident memory (private and shared: the store's pages are shared page cache), disk
   of the state dir; then events/s per phase from the group's committed offsets.
3. It restarts on its checkpoints: time to ready again and memory.
4. `--processes 2` on the same store: each process's private and shared memory.
5. With --memory, a worker holding both views in dicts (LOGWARDEN_CONSENT_STORE=memory,
   LOGWARDEN_SUPPRESSION_STORE=memory), and one on empty topics, for memory per subject.

Events carry no field that needs a per-subject data key, so the phases differ only in
their consent and suppression lookups (no event's subject is erased).

    .venv/bin/python -m benchmarks.bench_state [--subjects 1000000] [--erased N/10]
        [--events 20000] [--memory]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from benchmarks.bench_state_store import disk_bytes, memory_kib
from benchmarks.bench_stream import BOOTSTRAP, PARTITIONS, committed_total
from redactors import codec
from redactors.consent import ConsentState
from redactors.suppression import SubjectHasher, SuppressionEntry, SuppressionReason
from schemas.consent import encode_consent
from streams.admin import create_topics
from streams.topics import SUPPRESSION_TABLE, TopicNames, topic_specs

HOT_SUBJECTS = 1000
KEYS = {"LOGWARDEN_PSEUDONYM_KEYS": f"b1:{base64.b64encode(os.urandom(32)).decode()}",
        "LOGWARDEN_SUPPRESSION_KEY": f"s1:{base64.b64encode(os.urandom(32)).decode()}"}


def subject(i: int) -> str:
    return f"user-{i:09d}"


def consent(i: int) -> tuple[bytes, bytes]:
    return encode_consent(ConsentState(
        subject_id=subject(i), analytics=i % 4 != 0, profiling=i % 2 == 0, marketing=i % 3 == 0,
        birth_year=1940 + i % 66 if i % 5 else None, updated_at="2026-11-01T10:00:00.000Z"))


def suppression_entries(first: int, count: int) -> list[tuple[bytes | None, bytes]]:
    """Entries as the rights agent writes them, for subjects first..first+count-1."""
    hasher = SubjectHasher.from_env(KEYS)
    entry = codec.dumps(SuppressionEntry(reason=SuppressionReason.ERASED,
                                         since="2026-11-01T10:00:00.000Z",
                                         request_id=str(uuid.uuid4())).to_dict())
    return [(codec.dumps(hasher(subject(i))), entry) for i in range(first, first + count)]


def event(seq: int, who: int) -> bytes:
    return orjson.dumps({"seq": seq, "user_id": subject(who), "path": f"/shop/item/{seq % 300}",
                         "ua": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", "status": 200,
                         "message": "checkout ok"})


async def produce(topic: str, records: list[tuple[bytes | None, bytes]] | None = None,
                  n: int = 0, keyed: bool = True) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks=1, linger_ms=20,
                                max_batch_size=512 * 1024, compression_type="lz4")
    await producer.start()
    try:
        pending = []
        for i in range(n if records is None else len(records)):
            key, value = consent(i) if records is None else records[i]
            # Not keyed: round robin (record i to partition i % PARTITIONS), keys kept.
            pending.append(await producer.send(topic, value, key=key,
                                               partition=None if keyed else i % PARTITIONS))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def phases(n: int, events: int) -> list[tuple[str, list[bytes]]]:
    rng = random.Random(15)
    out, seq = [], 0
    for name in ("warm-up", "1,000 subjects", f"{n:,} subjects", "1,000 subjects",
                 f"{n:,} subjects"):
        whole = name.startswith(f"{n:,}")
        batch = [event(seq + j, rng.randrange(n) if whole else rng.randrange(HOT_SUBJECTS))
                 for j in range(events)]
        seq += events
        out.append((name, batch))
    return out


def start(names: TopicNames, workdir: Path, tag: str, *extra: str,
          env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], Path]:
    log = workdir / f"worker-{tag}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "streams", "worker", "--broker", f"kafka://{BOOTSTRAP}",
         "--topic-prefix", names.prefix, "--app-id", names.app_id, "--partitions",
         str(PARTITIONS), "--web-port", str(21000 + os.getpid() % 20000),
         "--data-dir", str(workdir / f"data-{tag}"), "--loglevel", "info", *extra],
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
        env={**os.environ, **KEYS, "LOGWARDEN_STATE_DIR": str(workdir / "state"),
             **(env or {})})
    return process, log


def wait_loaded(process: subprocess.Popen[bytes], log: Path, started: float,
                count: int = 1) -> float:
    """Seconds from `started` until `count` processes logged "consent loaded" (the last
    of the two views, after the suppression list: ready)."""
    while log.read_bytes().count(b'"msg":"consent loaded"') < count:
        if process.poll() is not None:
            raise SystemExit(f"worker exited; see {log}")
        time.sleep(0.05)
    return time.perf_counter() - started


def view_seconds(log: Path, what: str) -> float:
    """From the worker's "loading {what}" to its "{what} loaded" (process start excluded)."""
    stamps = {}
    for line in log.read_bytes().splitlines():
        if line.startswith(b"{"):
            entry = orjson.loads(line)
            if entry.get("msg") in (f"loading {what}", f"{what} loaded"):
                stamps.setdefault(entry["msg"], datetime.fromisoformat(entry["ts"]))
    return (stamps[f"{what} loaded"] - stamps[f"loading {what}"]).total_seconds()


def views(log: Path) -> str:
    return (f"consent view {view_seconds(log, 'consent'):.2f} s, suppression list "
            f"{view_seconds(log, 'suppression list'):.2f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def memory_line(pid: int) -> str:
    m = memory_kib(pid)
    return (f"RSS {mib(m['rss'])} (private {mib(m['private'])}, shared {mib(m['shared'])}; "
            f"heap {mib(m['heap'])})")


async def phase_rates(names: TopicNames, sizes: list[int]) -> list[float]:
    """Events/s of each phase, from the times the committed total crossed its ends."""
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP)
    await admin.start()
    try:
        ends = [sum(sizes[:k + 1]) for k in range(len(sizes))]
        crossed: list[float] = []
        deadline = time.monotonic() + 1800
        while len(crossed) < len(ends) and time.monotonic() < deadline:
            try:
                total = await committed_total(admin, names.app_id, names.raw)
            except KafkaError:  # the group's coordinator is not known yet
                await asyncio.sleep(0.5)
                continue
            now = time.perf_counter()
            while len(crossed) < len(ends) and total >= ends[len(crossed)]:
                crossed.append(now)
            await asyncio.sleep(0.02)
        if len(crossed) < len(ends):
            raise SystemExit("the worker did not finish the phases within 30 min")
        return [sizes[k] / (crossed[k] - crossed[k - 1]) for k in range(1, len(sizes))]
    finally:
        await admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--erased", type=int, help="suppression entries (default: N / 10)")
    parser.add_argument("--events", type=int, default=20_000, help="events per phase")
    parser.add_argument("--run", help="reuse the topics of an earlier run with this id "
                        "(same --subjects and --events): nothing is produced")
    parser.add_argument("--memory", action="store_true",
                        help="also measure the in-memory view and an empty worker")
    args = parser.parse_args()
    run = args.run or uuid.uuid4().hex[:8]
    names = TopicNames(prefix=f"bench-state-{run}.", app_id=f"bench-state-{run}")
    workdir = Path(tempfile.mkdtemp(prefix="logwarden-bench-state-"))
    plan = phases(args.subjects, args.events)
    if args.run is None:
        asyncio.run(create_topics(BOOTSTRAP, topic_specs(names, PARTITIONS)))
        started = time.perf_counter()
        asyncio.run(produce(names.consent, n=args.subjects))
        erased = args.subjects // 10 if args.erased is None else args.erased
        asyncio.run(produce(names.changelog(SUPPRESSION_TABLE),
                            suppression_entries(args.subjects, erased)))
        print(f"{args.subjects:,} consent events and {erased:,} suppression entries produced "
              f"in {time.perf_counter() - started:.0f} s (run {run})", flush=True)
        asyncio.run(produce(names.raw, [(None, e) for _, batch in plan for e in batch],
                            keyed=False))

    started = time.perf_counter()
    worker, log = start(names, workdir, "first")
    print(f"first start: ready in {wait_loaded(worker, log, started):.1f} s ({views(log)}); "
          f"{memory_line(worker.pid)}; state dir {disk_bytes(workdir / 'state') / 2**20:,.0f} "
          "MiB on disk", flush=True)
    rates = asyncio.run(phase_rates(names, [len(batch) for _, batch in plan]))
    for (name, _), rate in zip(plan[1:], rates, strict=True):
        print(f"  data plane, events of {name}: {rate:,.0f} events/s", flush=True)
    hot, whole = (rates[0] + rates[2]) / 2, (rates[1] + rates[3]) / 2
    print(f"  {args.subjects:,} subjects / 1,000: {whole / hot:.2f}x; after the phases "
          f"{memory_line(worker.pid)}", flush=True)
    stop(worker)

    started = time.perf_counter()
    worker, log = start(names, workdir, "restart")
    print(f"restart on the checkpoints: ready in {wait_loaded(worker, log, started):.1f} s "
          f"({views(log)}); "
          f"{memory_line(worker.pid)}", flush=True)
    stop(worker)

    started = time.perf_counter()
    worker, log = start(names, workdir, "p2", "--processes", "2")
    wait_loaded(worker, log, started, count=2)  # both children log to the same file
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    for pid in children:
        print(f"--processes 2, process {pid}: {memory_line(int(pid))}", flush=True)
    stop(worker)

    if args.memory:
        in_memory = {"LOGWARDEN_CONSENT_STORE": "memory", "LOGWARDEN_SUPPRESSION_STORE": "memory"}
        for tag, prefix, env in (("memory", names.prefix, in_memory),
                                 ("empty", f"bench-state-{run}-empty.", {})):
            other = TopicNames(prefix=prefix, app_id=f"bench-state-{run}-{tag}")
            asyncio.run(create_topics(BOOTSTRAP, topic_specs(other, PARTITIONS)))
            if tag == "memory" and args.run is None:  # the changelog is named by the app id
                asyncio.run(produce(other.changelog(SUPPRESSION_TABLE),
                                    suppression_entries(args.subjects, erased)))
            started = time.perf_counter()
            worker, log = start(other, workdir, tag, env=env)
            print(f"{tag} views: ready in {wait_loaded(worker, log, started):.1f} s "
                  f"({views(log)}); "
                  f"{memory_line(worker.pid)}", flush=True)
            stop(worker)
    print(f"worker logs: {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
