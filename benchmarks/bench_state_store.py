"""LMDB against RocksDB (rocksdict) for the consent store: the measurement behind the choice.

N subjects (16-byte keyed-hash keys, 11-byte packed consent values, as streams.state
stores them) are written in batches, then two reader processes each look up random
subjects. Reported per store: write time, disk, lookup cost, and each reader's memory
split into private (its own copy) and shared (page cache mapped by both).

    .venv/bin/python -m benchmarks.bench_state_store [--subjects 1000000]
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

VALUE = b"\x07" + bytes(10)
BATCH = 5000
MAP_SIZE = 1 << 36


def key(i: int) -> bytes:
    return hashlib.blake2b(i.to_bytes(8, "little"), digest_size=16).digest()


def memory_kib(pid: int | str = "self") -> dict[str, int]:
    """A process's resident memory split as /proc/PID/smaps_rollup splits it; `heap` is
    its anonymous memory (private includes file pages only it maps: store pages read)."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0])
    return {"rss": fields["Rss"],
            "private": fields["Private_Clean"] + fields["Private_Dirty"],
            "shared": fields["Shared_Clean"] + fields["Shared_Dirty"],
            "heap": fields["Anonymous"]}


def write_lmdb(path: Path, n: int) -> None:
    import lmdb

    env = lmdb.open(str(path), map_size=MAP_SIZE, subdir=True, metasync=False)
    for start in range(0, n, BATCH):
        with env.begin(write=True) as txn:
            for i in range(start, min(n, start + BATCH)):
                txn.put(key(i), VALUE)
    env.close()


def write_rocks(path: Path, n: int) -> None:
    from rocksdict import Rdict, WriteBatch

    db = Rdict(str(path))
    for start in range(0, n, BATCH):
        batch = WriteBatch()
        for i in range(start, min(n, start + BATCH)):
            batch.put(key(i), VALUE)
        db.write(batch)
    db.close()


def open_reader(store: str, path: Path) -> Any:
    if store == "lmdb":
        import lmdb

        env = lmdb.open(str(path), map_size=MAP_SIZE, readonly=True, lock=False)
        return lambda k: env.begin().get(k)
    from rocksdict import AccessType, Rdict

    db = Rdict(str(path), access_type=AccessType.read_only())
    return db.get


def reader(store: str, path: Path, n: int, lookups: int, out: Any, barrier: Any) -> None:
    get = open_reader(store, path)
    rng = random.Random(os.getpid())
    keys = [key(rng.randrange(n)) for _ in range(lookups)]
    for k in keys:  # warm: every page a lookup touches is resident afterwards
        assert get(k) == VALUE
    started = time.perf_counter()
    for k in keys:
        get(k)
    per_lookup = (time.perf_counter() - started) / lookups
    barrier.wait()  # both readers mapped and warm at once
    out.put({"us": per_lookup * 1e6, **memory_kib()})
    barrier.wait()


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file())


def measure(store: str, n: int, lookups: int, root: Path) -> dict[str, float]:
    path = root / store
    started = time.perf_counter()
    (write_lmdb if store == "lmdb" else write_rocks)(path, n)
    written = time.perf_counter() - started
    ctx = multiprocessing.get_context("spawn")
    out, barrier = ctx.Queue(), ctx.Barrier(2)
    procs = [ctx.Process(target=reader, args=(store, path, n, lookups, out, barrier))
             for _ in range(2)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    return {"write_s": written, "disk_mib": disk_bytes(path) / 2**20,
            "lookup_us": sum(r["us"] for r in results) / 2,
            "private_mib_2procs": sum(r["private"] for r in results) / 1024,
            "shared_mib_each": results[0]["shared"] / 1024,
            "rss_mib_each": results[0]["rss"] / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-state-store-"))
    try:
        print(f"{args.subjects:,} subjects, {args.lookups:,} random lookups per reader, "
              "2 reader processes")
        for store in ("lmdb", "rocksdict"):
            r = measure(store, args.subjects, args.lookups, root)
            print(f"{store:10} write {r['write_s']:6.1f} s  disk {r['disk_mib']:7.1f} MiB  "
                  f"lookup {r['lookup_us']:5.2f} us  RSS/process {r['rss_mib_each']:6.1f} MiB "
                  f"(shared {r['shared_mib_each']:6.1f})  private of both "
                  f"{r['private_mib_2procs']:6.1f} MiB")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
