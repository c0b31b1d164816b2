"""The consent view on disk, against the real broker: a restart reads only the tail of
privacy.consent from its checkpoint, changes made while the worker is down or starting
are applied, and an erasure leaves the store."""

from __future__ import annotations

import os
from pathlib import Path

import lmdb
import orjson
import pytest

from redactors.consent import ConsentState
from redactors.suppression import SubjectHasher
from streams.state.store import subject_key
from tests.integration.rights_kit import (
    event,
    full_consent,
    log_entry,
    names_for,
    read_outputs,
    rights_cli,
    send_events,
    set_consent,
    setup_topics,
    start_worker,
    wait_for,
    worker_env,
)
from tests.kafkit import wait_for_log

pytestmark = pytest.mark.kafka

OTHERS = 300  # subjects besides the ones the test follows


def _stored(path: Path, hasher: SubjectHasher, subjects: list[str]) -> dict[str, bool]:
    env = lmdb.open(str(path), readonly=True, lock=False, max_dbs=2)
    try:
        db = env.open_db(b"consent", create=False)
        with env.begin() as txn:
            return {s: txn.get(subject_key(hasher, s), db=db) is not None for s in subjects}
    finally:
        env.close()


def _tiers(bootstrap: str, prefix: str, expect: int) -> dict[int, str]:
    outputs = read_outputs(bootstrap, prefix, expect=expect)
    return {doc["seq"]: doc["_privacy"]["tier"]
            for doc in (orjson.loads(v) for _, v in outputs["analytics"])}


def test_restart_reads_the_tail_keeps_changes_made_meanwhile_and_erasure_leaves_the_store(
        kafka_bootstrap, topic_prefix, worker_factory, tmp_path):
    setup_topics(kafka_bootstrap, topic_prefix)
    hasher = SubjectHasher.from_env(os.environ)
    state_dir = tmp_path / "state"
    store = state_dir / f"{names_for(topic_prefix).consent}.lmdb"
    env = {**worker_env(), "LOGWARDEN_STATE_DIR": str(state_dir)}
    set_consent(kafka_bootstrap, topic_prefix,
                *(full_consent(f"s{i}") for i in range(OTHERS)),
                full_consent("carol"), full_consent("dave"), full_consent("erin"))

    first = start_worker(worker_factory, topic_prefix, env)
    assert "consent checkpoint missing: rebuilding" in first.logs()
    assert log_entry(first.logs(), "consent loaded")["subjects"] == OTHERS + 3
    send_events(kafka_bootstrap, topic_prefix, [event("carol", 1), event("dave", 2)])
    assert _tiers(kafka_bootstrap, topic_prefix, expect=4) == {1: "full", 2: "full"}

    done = rights_cli("forget", "erin", kafka_bootstrap, topic_prefix)
    assert done.returncode == 0, done.stderr
    wait_for(lambda: not _stored(store, hasher, ["erin"])["erin"], timeout=60)
    assert _stored(store, hasher, ["carol", "dave", "s0"]) == {
        "carol": True, "dave": True, "s0": True}
    first.stop()
    files = b"".join(f.read_bytes() for f in store.iterdir())
    assert b"erin" not in files
    assert b"carol" not in files  # subjects are stored by keyed hash only

    # While the worker is down, carol withdraws; while it starts, dave objects.
    set_consent(kafka_bootstrap, topic_prefix,
                ConsentState(subject_id="carol", updated_at="2026-11-02T00:00:00Z"))
    second = worker_factory("--topic-prefix", topic_prefix, "--app-id", f"{topic_prefix}app",
                            "--partitions", "4", env=env)
    set_consent(kafka_bootstrap, topic_prefix,
                ConsentState(subject_id="dave", analytics=True,
                             updated_at="2026-11-02T00:00:00Z"))
    wait_for_log(second, "[^Worker]: Ready", timeout=90)
    logs = second.logs()
    assert "rebuilding" not in logs
    # The tail only: carol's change, and dave's if it landed before the end offsets were read.
    assert log_entry(logs, "consent checkpoint found: reading privacy.consent from it")[
        "records_behind"] in (1, 2)
    send_events(kafka_bootstrap, topic_prefix,
                [event("carol", 3), event("dave", 4), event("s1", 5)])
    tiers = _tiers(kafka_bootstrap, topic_prefix, expect=9)
    assert {seq: tiers.get(seq) for seq in (3, 4, 5)} == {
        3: "none", 4: "analytics_only", 5: "full"}
