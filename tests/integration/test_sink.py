"""`logwarden sink` against the real broker: killed with SIGKILL mid-stream and restarted,
the table ends with every analytics record exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.sink.files import MARKERS, parquet_glob
from streams.topics import TopicNames
from tests.kafkit import create_topics, unique_prefix

pytestmark = pytest.mark.kafka

BOOTSTRAP = "127.0.0.1:9092"
PARTITIONS = 2
EVENTS = 2000
SERVICES = ("web", "api", "billing")
BROWSERS = ("Chrome", "Firefox", "Safari")


def _record(seq: int) -> bytes:
    return orjson.dumps({
        "seq": seq, "ts": f"2026-11-2{seq % 2 + 5}", "service": SERVICES[seq % 3],
        "event": "login" if seq % 4 == 0 else "page_view", "geo": {"country": "FR"},
        "user_agent": {"browser": BROWSERS[seq % 3], "os": "Linux", "device": "desktop"},
        "_privacy": {"policy": "t", "tier": "full", "categories": [], "transforms": [],
                     "marketing_opt_out": True, "gpc": False, "third_party_sharing": False}})


async def _produce_transactions(topic: str, seqs: range, prefix: str) -> None:
    """As the workers write analytics: in transactions, so offsets have gaps (markers)."""
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, transactional_id=f"{prefix}feed")
    await producer.start()
    try:
        for chunk in range(seqs.start, seqs.stop, 100):
            async with producer.transaction():
                for seq in range(chunk, min(chunk + 100, seqs.stop)):
                    await producer.send(topic, _record(seq), partition=seq % PARTITIONS)
    finally:
        await producer.stop()


async def _committed(group: str, topic: str) -> dict[int, int | None]:
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=group,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        return {p: await consumer.committed(TopicPartition(topic, p)) for p in range(PARTITIONS)}
    finally:
        await consumer.stop()


class _Sink:
    def __init__(self, prefix: str, out: Path, log: Path) -> None:
        self.args = [sys.executable, "-m", "streams", "sink", "--out", str(out),
                     "--broker", f"kafka://{BOOTSTRAP}", "--topic-prefix", prefix,
                     "--app-id", f"{prefix}app", "--flush-rows", "150",
                     "--flush-seconds", "0.3"]
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as handle:
            self.proc = subprocess.Popen(self.args, stdout=handle, stderr=subprocess.STDOUT)

    def stop(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)


def _wait(condition: Callable[[], bool], what: str, sink: _Sink, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert sink.proc is not None
        assert sink.proc.poll() is None, sink.log.read_text()[-3000:]
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}:\n{sink.log.read_text()[-3000:]}")


def _markers(out: Path) -> int:
    return sum(1 for _ in (out / MARKERS).glob("p*/*.json"))


def _rows(out: Path, sql: str = "select count(*) from t") -> list[tuple[object, ...]]:
    if not any(out.glob("day=*/service=*/*.parquet")):
        return [(0,)]
    con = duckdb.connect()
    con.read_parquet(parquet_glob(out), hive_partitioning=True).create_view("t")
    return con.sql(sql).fetchall()


def _count(out: Path) -> int:
    try:
        return int(str(_rows(out)[0][0]))
    except duckdb.Error:  # a file removed between the glob and the read (a restart's recovery)
        return -1


@pytest.fixture
def sink_dir(tmp_path: Path) -> Iterator[tuple[str, Path, _Sink]]:
    prefix = unique_prefix()
    asyncio.run(create_topics(BOOTSTRAP, [TopicNames(prefix=prefix).analytics], PARTITIONS))
    out = tmp_path / "table"
    sink = _Sink(prefix, out, tmp_path / "sink.log")
    yield prefix, out, sink
    sink.stop(signal.SIGKILL)


def test_sink_survives_kill9_without_loss_or_duplicates(
        sink_dir: tuple[str, Path, _Sink]) -> None:
    prefix, out, sink = sink_dir
    topic = TopicNames(prefix=prefix).analytics
    chunk = EVENTS // 4
    asyncio.run(_produce_transactions(topic, range(chunk), prefix))
    sink.start()
    for kill in range(1, 4):  # SIGKILL mid-stream, three times; more arrives while it is down
        seen = _markers(out)
        _wait(lambda seen=seen: _markers(out) >= seen + 2, "a flush", sink)
        sink.stop(signal.SIGKILL)
        asyncio.run(_produce_transactions(topic, range(kill * chunk, (kill + 1) * chunk),
                                          prefix))
        sink.start()
    _wait(lambda: _count(out) == EVENTS, f"{EVENTS} rows", sink, timeout=180)
    sink.stop(signal.SIGTERM)
    assert sink.proc is not None
    assert sink.proc.returncode == 0, sink.log.read_text()[-3000:]

    count, distinct, seqs = _rows(out, "select count(*), count(distinct (kafka_partition, "
                                       "kafka_offset)), count(distinct record->>'seq') from t")[0]
    assert (count, distinct, seqs) == (EVENTS, EVENTS, EVENTS)
    misplaced = _rows(out, "select count(*) from t where (record->>'service') <> service "
                           "or (record->>'ts') <> cast(day as varchar)")
    assert misplaced == [(0,)]
    assert not list(out.rglob("*.tmp"))
    ends = asyncio.run(_committed(f"{prefix}app-sink", topic))
    assert all(offset is not None and offset > 0 for offset in ends.values())
    logins = _rows(out, "select browser, count(*) from t where event = 'login' "
                        "group by all order by all")
    assert logins == [(b, sum(1 for s in range(0, EVENTS, 4) if BROWSERS[s % 3] == b))
                      for b in sorted(BROWSERS)]
