"""The subject keys on disk, against the real broker: a restart reads only the tail of the
keys changelog from the store's checkpoint, a subject's data stays decryptable with the
same key across it, and an erasure leaves the store and stays out of it."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import lmdb
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from redactors.suppression import SubjectHasher
from streams.rights.reader import KeyReader
from streams.state.store import partition_prefix, subject_key
from tests.integration.rights_kit import (
    PARTITIONS,
    event,
    full_consent,
    log_entry,
    names_for,
    read_outputs,
    rights_cli,
    set_consent,
    setup_topics,
    start_worker,
    wait_for,
    worker_env,
)
from tests.kafkit import consume, wait_for_log

pytestmark = pytest.mark.kafka

OTHERS = 30  # subjects besides the ones the test follows


@contextmanager
def _reading(path: Path) -> Iterator[tuple[lmdb.Transaction, Any, Any]]:
    """A read transaction on the worker's store, with its keys and meta databases."""
    env = lmdb.open(str(path), readonly=True, lock=False, max_dbs=2)
    try:
        keys, meta = env.open_db(b"keys", create=False), env.open_db(b"meta", create=False)
        with env.begin() as txn:
            yield txn, keys, meta
    finally:
        env.close()


def _slots(path: Path, hasher: SubjectHasher, subject: str) -> list[int]:
    """The partitions whose slot for the subject the store fills."""
    with _reading(path) as (txn, keys, _):
        return [p for p in range(PARTITIONS)
                if txn.get(partition_prefix(p) + subject_key(hasher, subject), db=keys)]


def _entries(path: Path) -> int:
    with _reading(path) as (txn, keys, _):
        entries: int = txn.stat(keys)["entries"]
        return entries


def _stored_offsets(path: Path) -> dict[int, int]:
    with _reading(path) as (txn, _, meta):
        return {p: int.from_bytes(txn.get(b"offset/%d" % p, db=meta) or bytes(8), "little")
                for p in range(PARTITIONS)}


def _send_to_every_partition(bootstrap: str, prefix: str, subjects: list[str],
                             first_seq: int) -> int:
    """One event of each subject to each raw partition; how many were sent."""
    async def send() -> int:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            seq = first_seq
            for subject in subjects:
                for p in range(PARTITIONS):
                    await producer.send_and_wait(names_for(prefix).raw, event(subject, seq),
                                                 partition=p)
                    seq += 1
            return seq - first_seq
        finally:
            await producer.stop()

    return asyncio.run(send())


def _tombstone(bootstrap: str, changelog: str, subject: str) -> None:
    """What another host's rights agent writes for an erasure, while this worker is down."""
    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for p in range(PARTITIONS):
                await producer.send_and_wait(changelog, None, key=f"{p}/{subject}".encode(),
                                             partition=p)
        finally:
            await producer.stop()

    asyncio.run(send())


def _key_records(bootstrap: str, changelog: str, subject: str) -> dict[int, list[bytes | None]]:
    async def read() -> dict[int, list[bytes | None]]:
        async with KeyReader(bootstrap) as reader:
            return {p: [v for _, _, v in await reader.read_raw(changelog, p,
                                                               f"{p}/{subject}".encode())]
                    for p in range(PARTITIONS)}

    return asyncio.run(read())


def _ends(bootstrap: str, changelog: str) -> dict[int, int]:
    async def read() -> dict[int, int]:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap,
                                    isolation_level="read_committed")
        await consumer.start()
        try:
            tps = [TopicPartition(changelog, p) for p in range(PARTITIONS)]
            return {tp.partition: o for tp, o in (await consumer.end_offsets(tps)).items()}
        finally:
            await consumer.stop()

    return asyncio.run(read())


def _export(bootstrap: str, prefix: str, subject: str, out: Path) -> dict[str, object]:
    done = rights_cli("export", subject, bootstrap, prefix, "--app-id", f"{prefix}app",
                      "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert re.search(r"^read [\d,]+ records$", done.stderr, re.M), done.stderr
    document: dict[str, object] = orjson.loads(out.read_bytes())
    return document


def test_restart_reads_the_keys_tail_keeps_keys_and_erasure_leaves_the_store(
        kafka_bootstrap, topic_prefix, worker_factory, tmp_path):
    setup_topics(kafka_bootstrap, topic_prefix)
    hasher = SubjectHasher.from_env(os.environ)
    names = names_for(topic_prefix)
    changelog = names.changelog("subject_keys")
    state_dir = tmp_path / "state"
    store = state_dir / f"{changelog}.lmdb"
    env = {**worker_env(), "LOGWARDEN_STATE_DIR": str(state_dir)}
    subjects = ["alice", "erin", "zed", *(f"s{i}" for i in range(OTHERS))]
    set_consent(kafka_bootstrap, topic_prefix, *(full_consent(s) for s in subjects))

    first = start_worker(worker_factory, topic_prefix, env, "--exactly-once")
    wait_for_log(first, "subject keys loaded")  # the data plane's first assignment
    assert "keys checkpoint missing: rebuilding the keys store" in first.logs()
    sent = _send_to_every_partition(kafka_bootstrap, topic_prefix, subjects, 1)
    read_outputs(kafka_bootstrap, topic_prefix, expect=2 * sent, timeout=90)
    # A key per subject and partition, in the store once read back committed.
    wait_for(lambda: _entries(store) == len(subjects) * PARTITIONS, timeout=60)
    keys = asyncio.run(consume(kafka_bootstrap, [changelog], expect=sent))[changelog]
    data_keys = {value for _, value in keys if value}
    assert len(data_keys) == sent

    done = rights_cli("forget", "erin", kafka_bootstrap, topic_prefix)
    assert done.returncode == 0, done.stderr
    wait_for(lambda: _slots(store, hasher, "erin") == [], timeout=60)
    assert _slots(store, hasher, "alice") == list(range(PARTITIONS))
    first.stop()
    behind = sum(_ends(kafka_bootstrap, changelog).values()) - sum(
        _stored_offsets(store).values())
    files = b"".join(f.read_bytes() for f in store.iterdir())
    assert not [k for k in data_keys if k in files]  # wrapped: residue is ciphertext
    assert b"alice" not in files
    assert b"erin" not in files

    _tombstone(kafka_bootstrap, changelog, "zed")  # erased elsewhere while this one is down
    second = start_worker(worker_factory, topic_prefix, env, "--exactly-once")
    wait_for_log(second, "subject keys loaded")
    logs = second.logs()
    assert "rebuilding" not in logs
    loaded = log_entry(logs, "subject keys loaded")
    assert loaded["from_checkpoint"] == PARTITIONS
    # The tail only: zed's tombstones and what the first worker had not read back.
    assert PARTITIONS <= loaded["records_read"] <= PARTITIONS + behind  # type: ignore[operator]
    assert loaded["records_read"] < len(keys)  # type: ignore[operator]
    assert _slots(store, hasher, "zed") == []
    assert _slots(store, hasher, "erin") == []

    more = _send_to_every_partition(kafka_bootstrap, topic_prefix, ["alice"], 1000)
    outputs = read_outputs(kafka_bootstrap, topic_prefix, expect=2 * (sent + more),
                           timeout=90)
    assert sum(1 for key, _ in outputs["identifiable"] if key == b"alice") == 2 * PARTITIONS
    # Sealed under the same key: no new key was created, and all of alice's data decrypts.
    assert {p: len(v) for p, v in _key_records(kafka_bootstrap, changelog, "alice").items()
            } == dict.fromkeys(range(PARTITIONS), 1)
    document = _export(kafka_bootstrap, topic_prefix, "alice", tmp_path / "alice.json")
    assert document["undecryptable_records"] == 0
    assert len(document["identifiable_records"]) == 2 * PARTITIONS  # type: ignore[arg-type]
