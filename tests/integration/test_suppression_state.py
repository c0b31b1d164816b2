"""The suppression list on disk, against the real broker: an erasure is stored, a restart
reads only the tail of the suppression changelog from its checkpoint, and entries other
workers write while this one is down or starting suppress the next events."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import lmdb
import pytest

from redactors import codec
from redactors.suppression import SubjectHasher, SuppressionEntry, SuppressionReason
from streams.topics import SUPPRESSION_TABLE
from tests.integration.rights_kit import (
    event,
    full_consent,
    log_entry,
    names_for,
    read_outputs,
    rights_cli,
    send_events,
    seqs,
    set_consent,
    setup_topics,
    start_worker,
    wait_for,
    worker_env,
)
from tests.kafkit import produce, wait_for_log

pytestmark = pytest.mark.kafka

SUBJECTS = ("carol", "dave", "erin", "frank")


def _listed(path: Path, hashes: list[str]) -> dict[str, bool]:
    env = lmdb.open(str(path), readonly=True, lock=False, max_dbs=2)
    try:
        db = env.open_db(b"suppression", create=False)
        with env.begin() as txn:
            return {h: txn.get(h.encode(), db=db) is not None for h in hashes}
    finally:
        env.close()


def _erase_elsewhere(bootstrap: str, prefix: str, hasher: SubjectHasher, subject: str) -> None:
    """The entry another worker's rights agent writes for an erasure it handles."""
    entry = SuppressionEntry(reason=SuppressionReason.ERASED, since="2026-11-02T00:00:00.000Z",
                             request_id=f"elsewhere-{subject}")
    asyncio.run(produce(bootstrap, names_for(prefix).changelog(SUPPRESSION_TABLE),
                        [codec.dumps(entry.to_dict())], [codec.dumps(hasher(subject))]))


def _routed(bootstrap: str, prefix: str, expect: int) -> set[int]:
    outputs = read_outputs(bootstrap, prefix, expect=expect)
    return {s for records in outputs.values() for s in seqs(records)}


def test_suppression_resumes_from_its_checkpoint_and_entries_written_meanwhile_hold(
        kafka_bootstrap, topic_prefix, worker_factory, tmp_path):
    setup_topics(kafka_bootstrap, topic_prefix)
    hasher = SubjectHasher.from_env(os.environ)
    state_dir = tmp_path / "state"
    store = state_dir / f"{names_for(topic_prefix).changelog(SUPPRESSION_TABLE)}.lmdb"
    env = {**worker_env(), "LOGWARDEN_STATE_DIR": str(state_dir)}
    set_consent(kafka_bootstrap, topic_prefix, *(full_consent(s) for s in SUBJECTS))

    first = start_worker(worker_factory, topic_prefix, env)
    assert "suppression checkpoint missing: rebuilding" in first.logs()
    done = rights_cli("forget", "erin", kafka_bootstrap, topic_prefix)
    assert done.returncode == 0, done.stderr
    wait_for(lambda: _listed(store, [hasher("erin")])[hasher("erin")], timeout=30)
    first.stop()
    files = b"".join(f.read_bytes() for f in store.iterdir())
    assert hasher("erin").encode() in files
    assert b"erin" not in files.replace(hasher("erin").encode(), b"")  # hashes, never ids

    # While the worker is down, another erases carol; while it starts, dave.
    _erase_elsewhere(kafka_bootstrap, topic_prefix, hasher, "carol")
    second = worker_factory("--topic-prefix", topic_prefix, "--app-id", f"{topic_prefix}app",
                            "--partitions", "4", env=env)
    _erase_elsewhere(kafka_bootstrap, topic_prefix, hasher, "dave")
    wait_for_log(second, "[^Worker]: Ready", timeout=90)
    logs = second.logs()
    assert "rebuilding the suppression store" not in logs
    # The tail only (erin's entry was read back before the stop): carol's, and dave's if
    # it landed before the end offsets were read.
    found = log_entry(logs, "suppression checkpoint found: reading the suppression "
                            "changelog from it")
    assert found["records_behind"] in (1, 2)
    wait_for(lambda: _listed(store, [hasher("dave")])[hasher("dave")], timeout=30)

    send_events(kafka_bootstrap, topic_prefix,
                [event(s, 100 * n + i) for n, s in enumerate(SUBJECTS, 1) for i in range(5)])
    routed = _routed(kafka_bootstrap, topic_prefix, expect=10)  # frank's: two routes each
    assert {s // 100 for s in routed if s >= 100} == {4}  # frank only
