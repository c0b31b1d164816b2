"""Identifiable records in their subject's partition (exactly-once: a transaction spans
partitions), an export that reads that one partition, and the real outputs checked
against the downstream contract's schemas."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer
from jsonschema import Draft202012Validator

from schemas.compat import SCHEMAS
from streams.partitioning import partition_for
from tests.integration.rights_kit import (
    PARTITIONS,
    event,
    full_consent,
    names_for,
    read_receipts,
    rights_cli,
    send_events,
    set_consent,
    setup_topics,
)
from tests.kafkit import wait_for_log

pytestmark = pytest.mark.kafka

SUBJECTS = [f"s{i}" for i in range(12)]
EVENTS_EACH = 5
GARBAGE = [b'{"a": 1, "a": 2}', b"\xff\xfe", b"[1, 2]"]  # dead-letter codes

Record = tuple[int, bytes | None, bytes, dict[str, str]]  # partition, key, value, headers


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / name).read_text()))


async def _read(bootstrap: str, topics: list[str], expect: int,
                timeout: float = 90.0) -> dict[str, list[Record]]:
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", isolation_level="read_committed")
    await consumer.start()
    got: dict[str, list[Record]] = {t: [] for t in topics}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        while loop.time() < deadline and sum(map(len, got.values())) < expect:
            for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                got[tp.topic] += [(tp.partition, r.key, r.value,
                                   {k: v.decode() for k, v in r.headers}) for r in records]
    finally:
        await consumer.stop()
    return got


def test_identifiable_records_sit_in_their_subjects_partition(
        kafka_bootstrap: str, topic_prefix: str, worker_factory: Any, tmp_path: Path) -> None:
    names = names_for(topic_prefix)
    setup_topics(kafka_bootstrap, topic_prefix)
    set_consent(kafka_bootstrap, topic_prefix, *(full_consent(s) for s in SUBJECTS))
    worker = worker_factory("--topic-prefix", topic_prefix, "--app-id", f"{topic_prefix}app",
                            "--partitions", str(PARTITIONS), "--exactly-once",
                            env={"LOGWARDEN_PSEUDONYM_KEYS": "t1:" + "A" * 44})
    wait_for_log(worker, "[^Worker]: Ready", timeout=90)
    events = [event(s, 100 * i + n) for i, s in enumerate(SUBJECTS) for n in range(EVENTS_EACH)]
    send_events(kafka_bootstrap, topic_prefix, [*events, *GARBAGE])
    total = 2 * len(events) + len(GARBAGE)
    got = asyncio.run(_read(kafka_bootstrap,
                            [names.identifiable, names.analytics, names.deadletter], total))
    identifiable = got[names.identifiable]
    assert len(identifiable) == len(events)
    for partition, key, _, headers in identifiable:
        assert key is not None
        assert partition == partition_for(key, PARTITIONS)
        assert headers["lw-key-partition"].isdigit()  # where its data key lives
    assert len({p for p, *_ in identifiable}) > 1  # twelve subjects spread over partitions

    # The downstream contract, on what the worker really wrote.
    analytics = _validator("analytics-event.schema.json")
    assert len(got[names.analytics]) == len(events)
    for _, _, value, _ in got[names.analytics]:
        analytics.validate(orjson.loads(value))
    deadletter = _validator("deadletter-headers.schema.json")
    assert len(got[names.deadletter]) == len(GARBAGE)
    for _, _, _, headers in got[names.deadletter]:
        deadletter.validate(headers)

    # The access request reads the subject's partition of logs.identifiable, and only it.
    out = tmp_path / "s3.json"
    done = rights_cli("export", "s3", kafka_bootstrap, topic_prefix, "--app-id",
                      f"{topic_prefix}app", "--out", str(out))
    assert done.returncode == 0, done.stderr
    document = orjson.loads(out.read_bytes())
    assert len(document["identifiable_records"]) == EVENTS_EACH
    assert document["undecryptable_records"] == 0
    read = document["sources"]["partitions_read"][names.identifiable]
    assert read == [partition_for(b"s3", PARTITIONS)]
    [receipt] = read_receipts(kafka_bootstrap, topic_prefix, expect=1)
    _validator("receipt.schema.json").validate(receipt)
