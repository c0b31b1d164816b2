"""Helpers for pipeline tests on the real broker: a labeled corpus and its accounting."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from redactors.consent import ConsentState
from schemas.consent import encode_consent
from streams.admin import create_topics
from streams.topics import KEYS_TABLE, SUPPRESSION_TABLE, TopicNames, topic_specs

PARTITIONS = 4
CHILDREN = 20  # subjects u0..u19 are under 16: their events must be dropped
FULL_CONSENT = range(20, 400)  # full consent: IP as /24 network, pseudonymous user id
SUBJECTS = 1000
EVENTS_FAULTS = 12_000  # inputs of the fault tests, fed at a steady rate
IP_LEAK = re.compile(rb"198\.51\.100\.(?!0\b)\d{1,3}\b")  # any untruncated test IP


def worker_env() -> dict[str, str]:
    return {"LOGWARDEN_PSEUDONYM_KEYS": f"t1:{base64.b64encode(os.urandom(32)).decode()}"}


def names_for(prefix: str) -> TopicNames:
    return TopicNames(prefix=prefix, app_id=f"{prefix}app")


def worker_args(prefix: str, *extra: str) -> tuple[str, ...]:
    return ("--topic-prefix", prefix, "--app-id", f"{prefix}app", "--partitions",
            str(PARTITIONS), *extra)


def event(seq: int) -> bytes:
    """Every 101st input is garbage (dead-letter); the rest carry known PII values."""
    if seq % 101 == 7:
        return b"\xff\xfe not json, not utf-8 " + str(seq).encode()
    subject = f"u{seq % SUBJECTS}"
    return orjson.dumps({
        "seq": seq, "user_id": subject, "ip": f"198.51.100.{seq % 250 + 1}",
        "email": f"pii{seq}@example.org", "path": f"/page/{seq % 17}?token=abc{seq}",
        "message": f"login ok for pii{seq}@example.org", "ts": "2026-11-25T10:00:00Z"})


def expected_dropped(seq: int) -> bool:
    return seq % 101 != 7 and seq % SUBJECTS < CHILDREN


async def setup_topics(bootstrap: str, prefix: str) -> None:
    await create_topics(bootstrap, topic_specs(names_for(prefix), PARTITIONS))


async def publish_consent(bootstrap: str, prefix: str) -> None:
    records = [encode_consent(ConsentState(subject_id=f"u{i}", birth_year=2015,
                                           updated_at="2026-11-01T00:00:00Z"))
               for i in range(CHILDREN)]
    records += [encode_consent(ConsentState(subject_id=f"u{i}", analytics=True, profiling=True,
                                            marketing=True, updated_at="2026-11-01T00:00:00Z"))
                for i in FULL_CONSENT]
    await produce_keyed(bootstrap, names_for(prefix).consent, records)


async def produce_keyed(bootstrap: str, topic: str,
                        records: Sequence[tuple[bytes | None, bytes | None]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                enable_idempotence=True)
    await producer.start()
    try:
        futures = [await producer.send(topic, key=k, value=v) for k, v in records]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def produce_corpus(bootstrap: str, topic: str, seqs: range,
                         per_second: float | None = None) -> dict[str, int]:
    """Produce unkeyed events round-robin, at `per_second` if given (so that faults land
    while records flow); returns source ref "p:offset" -> seq. One idempotent producer
    whose requests may wait five minutes: a broker restart or a 70 s outage delays the
    feed but neither loses nor duplicates an input."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                enable_idempotence=True, request_timeout_ms=300_000)
    await producer.start()
    try:
        pending = []
        start = time.monotonic()
        for i, seq in enumerate(seqs):
            pending.append((seq, await producer.send(topic, value=event(seq),
                                                     partition=seq % PARTITIONS)))
            if per_second is not None:
                delay = start + (i + 1) / per_second - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
        refs = {}
        for seq, future in pending:
            meta = await future
            refs[f"{meta.partition}:{meta.offset}"] = seq
        return refs
    finally:
        await producer.stop()


class PacedFeed:
    """produce_corpus at a steady rate in a thread; `join` returns its refs and raises
    what the feed raised (a thread's exception is otherwise lost)."""

    def __init__(self, bootstrap: str, prefix: str, seqs: range, per_second: float) -> None:
        self.refs: dict[str, int] = {}
        self._failures: list[BaseException] = []
        self._thread = threading.Thread(target=self._run,
                                        args=(bootstrap, prefix, seqs, per_second))
        self._thread.start()

    def _run(self, bootstrap: str, prefix: str, seqs: range, per_second: float) -> None:
        try:
            self.refs.update(asyncio.run(produce_corpus(bootstrap, names_for(prefix).raw,
                                                        seqs, per_second)))
        except BaseException as exc:
            self._failures.append(exc)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float) -> dict[str, int]:
        self._thread.join(timeout=timeout)
        assert not self._thread.is_alive(), "the feed did not finish"
        assert not self._failures, f"the feed failed: {self._failures!r}"
        return self.refs


def events_in_by_partition(args: list[str], raw: str) -> dict[int, float]:
    """A worker's own count of raw events per partition, from its /metrics."""
    port = args[args.index("--web-port") + 1]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    pattern = re.compile(r'^logwarden_events_in_total\{(.*)\} (\S+)$', re.M)
    out: dict[int, float] = {}
    for labels, value in pattern.findall(text):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', labels))
        if fields.get("topic") == raw and float(value) > 0:
            out[int(fields["partition"])] = float(value)
    return out


@dataclass
class Ledger:
    """What came out, by input: routes seen and how often."""

    routes: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    analytics_values: list[bytes] = field(default_factory=list)
    unknown_sources: int = 0
    # (route, output partition, source partition) -> source offsets in the order read
    sources: dict[tuple[str, int, int], list[int]] = field(
        default_factory=lambda: defaultdict(list))

    def add(self, route: str, refs: dict[str, int], headers: Sequence[tuple[str, bytes]],
            value: bytes, partition: int = 0) -> None:
        src = dict(headers).get("lw-src", b"").decode()
        if src not in refs:
            self.unknown_sources += 1
            return
        self.routes[refs[src]][route] += 1
        source_partition, offset = src.split(":")
        self.sources[route, partition, int(source_partition)].append(int(offset))
        if route == "analytics":
            self.analytics_values.append(value)

    def outcome(self, seq: int) -> str | None:
        seen = self.routes.get(seq)
        if not seen:
            return None
        if "deadletter" in seen:
            return "deadletter" if len(seen) == 1 else "conflict"
        return "analytics" if "analytics" in seen else "identifiable_only"

    def duplicates(self) -> int:
        return sum(n - 1 for seen in self.routes.values() for n in seen.values() if n > 1)

    def duplicated(self, limit: int = 20) -> dict[int, dict[str, int]]:
        """Inputs (by seq: partition seq % 4, offset seq // 4) seen more than once per route."""
        found = {seq: {route: n for route, n in seen.items() if n > 1}
                 for seq, seen in sorted(self.routes.items())
                 if any(n > 1 for n in seen.values())}
        return dict(list(found.items())[:limit])

    def out_of_order(self) -> int:
        """Outputs whose source comes before one already seen in their route and partition,
        repeats left out (a replay under at-least-once repeats a run in order)."""
        late = 0
        for offsets in self.sources.values():
            seen: set[int] = set()
            highest = -1
            for offset in offsets:
                if offset in seen:
                    continue
                seen.add(offset)
                late += offset < highest
                highest = max(highest, offset)
        return late

    def accounted(self, seqs: range) -> Counter[str]:
        counts: Counter[str] = Counter()
        for seq in seqs:
            outcome = self.outcome(seq)
            if outcome is None:
                counts["dropped" if expected_dropped(seq) else "missing"] += 1
            elif expected_dropped(seq):
                counts["leaked_dropped"] += 1
            else:
                counts[outcome] += 1
        return counts


async def read_outputs(bootstrap: str, prefix: str, refs: dict[str, int], *, expect: int,
                       timeout: float, read_committed: bool = True) -> Ledger:
    """Read the three routes until every expected input has an outcome or time runs out."""
    names = names_for(prefix)
    routes = {names.analytics: "analytics", names.identifiable: "identifiable",
              names.deadletter: "deadletter"}
    consumer = AIOKafkaConsumer(
        *routes, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None, max_poll_records=5000,
        isolation_level="read_committed" if read_committed else "read_uncommitted")
    await consumer.start()
    ledger = Ledger()
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, records in batch.items():
                for r in records:
                    ledger.add(routes[tp.topic], refs, r.headers, r.value, tp.partition)
                quiet_since = time.monotonic()
            if len(ledger.routes) >= expect and time.monotonic() - quiet_since > 2.0:
                break
    finally:
        await consumer.stop()
    return ledger


async def wait_for_committed_end(bootstrap: str, prefix: str, timeout: float = 120.0) -> None:
    """Block until the worker group's committed offsets on logs.raw reach its end: every
    input has been routed and its outputs acknowledged."""
    from aiokafka.admin import AIOKafkaAdminClient

    names = names_for(prefix)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    parts = [TopicPartition(names.raw, p) for p in range(PARTITIONS)]
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ends = await consumer.end_offsets(parts)
            committed = await admin.list_consumer_group_offsets(names.app_id, partitions=parts)
            if all(committed.get(tp) is not None and committed[tp].offset >= ends[tp]
                   for tp in parts):
                return
            await asyncio.sleep(0.2)
        raise AssertionError("the worker group never committed the end of logs.raw")
    finally:
        await admin.close()
        await consumer.stop()


async def wait_for_progress(bootstrap: str, prefix: str, at_least: int,
                            alive: Callable[[], bool], timeout: float = 120.0) -> int:
    """Block until the routes hold at least `at_least` records (any isolation)."""
    names = names_for(prefix)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                isolation_level="read_uncommitted")
    await consumer.start()
    parts = [TopicPartition(topic, p) for p in range(PARTITIONS)
             for topic in (names.analytics, names.identifiable, names.deadletter)]
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            total = sum((await consumer.end_offsets(parts)).values())
            if total >= at_least:
                return total
            if not alive():
                raise AssertionError("the worker exited before it made progress")
            await asyncio.sleep(0.05)
        raise AssertionError(f"routes never reached {at_least} records")
    finally:
        await consumer.stop()


def settle_accounting(bootstrap: str, prefix: str, refs: dict[str, int],
                      seqs: range) -> tuple[dict[str, int], int]:
    """Once the group committed the end of logs.raw: every input in exactly one outcome,
    nothing lost, no child event, no known PII in analytics. Returns (counts, duplicates)."""
    asyncio.run(wait_for_committed_end(bootstrap, prefix))
    ledger = asyncio.run(read_outputs(bootstrap, prefix, refs, expect=len(seqs) - 300,
                                      timeout=240))
    counts = ledger.accounted(seqs)
    assert counts["missing"] == 0, counts
    assert counts["leaked_dropped"] == 0, counts
    assert counts["conflict"] == 0, counts
    assert sum(counts.values()) == len(seqs), counts
    assert ledger.unknown_sources == 0
    assert ledger.out_of_order() == 0
    analytics = b"\n".join(ledger.analytics_values)
    assert b"@example.org" not in analytics
    assert not IP_LEAK.search(analytics)
    return dict(counts), ledger.duplicates()


async def open_transactions(bootstrap: str, prefix: str) -> dict[str, int]:
    """Output partitions whose last stable offset trails their end: a transaction left
    open there ("topic:partition" -> records not yet decided)."""
    names = names_for(prefix)
    topics = (names.analytics, names.identifiable, names.deadletter,
              names.changelog(KEYS_TABLE))
    parts = [TopicPartition(t, p) for t in topics for p in range(PARTITIONS)]
    ends: dict[str, dict[TopicPartition, int]] = {}
    for isolation in ("read_committed", "read_uncommitted"):
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                    isolation_level=isolation)
        await consumer.start()
        try:
            ends[isolation] = await consumer.end_offsets(parts)
        finally:
            await consumer.stop()
    return {f"{tp.topic}:{tp.partition}": ends["read_uncommitted"][tp] - stable
            for tp, stable in ends["read_committed"].items()
            if stable < ends["read_uncommitted"][tp]}


def assert_no_open_transaction(bootstrap: str, prefix: str, timeout: float = 90.0) -> None:
    """Every transaction on the outputs and the keys changelog decided (LSO = HW) within
    `timeout` once the inputs are committed (a zombie's is aborted when it is fenced)."""
    deadline = time.monotonic() + timeout
    while (open_ := asyncio.run(open_transactions(bootstrap, prefix))):
        assert time.monotonic() < deadline, f"transactions left open: {open_}"
        time.sleep(1.0)


async def read_all(bootstrap: str, topics: Sequence[str]) -> list[bytes]:
    """Every key and value on `topics` (of PARTITIONS partitions, as the worker creates its
    changelogs) up to their current end, aborted records included."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, isolation_level="read_uncommitted")
    await consumer.start()
    out: list[bytes] = []
    try:
        existing = await consumer.topics()
        parts = [TopicPartition(t, p) for t in topics if t in existing
                 for p in range(PARTITIONS)]
        if not parts:
            return out
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            out += [r.key or b"" for rs in batch.values() for r in rs]
            out += [r.value or b"" for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    return out


def assert_no_canary(bootstrap: str, prefix: str, logs: Sequence[str]) -> None:
    """No known PII value (the corpus's e-mails and full IPs) in the changelogs or in the
    workers' own logs (analytics is checked by settle_accounting)."""
    names = names_for(prefix)
    stored = b"\n".join(asyncio.run(read_all(bootstrap, [
        names.changelog(KEYS_TABLE), names.changelog(SUPPRESSION_TABLE)])))
    for where, blob in (("changelogs", stored), ("worker logs", "\n".join(logs).encode())):
        assert b"@example.org" not in blob, where
        assert not IP_LEAK.search(blob), where
