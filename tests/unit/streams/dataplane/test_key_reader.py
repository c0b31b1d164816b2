"""The keys changelog reader over a small fake consumer: only committed keys reach the
store, a fresh key stays in memory until read back, other workers' tombstones apply."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import TopicPartition

from redactors.suppression import SubjectHasher
from streams.dataplane.keys import KeyStore
from streams.state.keys import StoredKeys
from streams.state.store import CheckpointStore, partition_prefix, subject_key

CHANGELOG = "app-subject_keys-changelog"


class CommittedLog:
    """What a read_committed consumer sees of the changelog: committed records only."""

    def __init__(self) -> None:
        self.records: dict[int, list[Any]] = {}
        self._positions: dict[TopicPartition, int | None] = {}

    def commit(self, partition: int, key: bytes, value: bytes | None) -> None:
        records = self.records.setdefault(partition, [])
        records.append(SimpleNamespace(offset=len(records), key=key, value=value))

    def assign(self, tps: list[TopicPartition]) -> None:
        self._positions = dict.fromkeys(tps)

    def assignment(self) -> set[TopicPartition]:
        return set(self._positions)

    async def position(self, tp: TopicPartition) -> int:
        position = self._positions[tp]
        assert position is not None, "seek first"
        return position

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self._positions[tp] = offset

    async def beginning_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict.fromkeys(tps, 0)

    async def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: len(self.records.get(tp.partition, [])) for tp in tps}

    def last_stable_offset(self, tp: TopicPartition) -> int:
        return len(self.records.get(tp.partition, []))

    async def getmany(self, *tps: TopicPartition, timeout_ms: int,
                      max_records: int) -> dict[TopicPartition, list[Any]]:
        batch = {}
        for tp in tps or list(self._positions):
            start = await self.position(tp)
            got = self.records.get(tp.partition, [])[start:start + max_records]
            if got:
                batch[tp] = got
                self._positions[tp] = start + len(got)
        return batch

    async def stop(self) -> None:
        pass


def reader(tmp_path: Path, hasher: SubjectHasher, log: CommittedLog) -> KeyStore:
    store = CheckpointStore(tmp_path / "k.lmdb", fingerprint=b"kc|2", map_size=1 << 24,
                            max_age=3600.0, kind="keys")
    keys = KeyStore("127.0.0.1:9", CHANGELOG, lambda: None,
                    table=StoredKeys(store, hasher, partitions=2, cache_size=100))
    keys._consumer = log  # type: ignore[assignment]
    return keys


async def tick(keys: KeyStore) -> None:
    keys._next_tick = 0.0
    await keys.tick()


def test_only_committed_keys_reach_the_store(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    hasher = SubjectHasher(os.urandom(32), key_id="t1")
    log = CommittedLog()
    log.commit(0, b"0/alice", b"a" * 32)
    keys = reader(tmp_path, hasher, log)
    table = keys.table
    assert isinstance(table, StoredKeys)

    def stored(subject: str) -> bytes | None:
        return table.store.get(partition_prefix(0) + subject_key(hasher, subject))

    async def scenario() -> None:
        await keys.load([0])
        assert keys[0].get("alice") == b"a" * 32
        aborted = keys[0].get_or_create("bob")
        assert keys[0].get("bob") == aborted  # in memory, not in the store
        assert stored("bob") is None
        keys.release([0])  # the transaction aborted: the partition is read again
        await keys.load([0])
        assert keys[0].get("bob") is None
        committed = keys[0].get_or_create("bob")
        log.commit(0, *keys[0].take_pending()[0])  # its transaction commits
        await tick(keys)
        assert stored("bob") is not None
        assert keys[0].fresh() == 0
        assert keys[0].get("bob") == committed
        log.commit(0, b"0/alice", None)  # another worker's erasure
        await tick(keys)
        assert keys[0].get("alice") is None
        assert stored("alice") is None
        await keys.stop()

    asyncio.run(scenario())
    again = reader(tmp_path, hasher, log)  # a restart reads from the checkpoint: nothing
    with caplog.at_level(logging.INFO, logger="streams.dataplane.keys"):
        asyncio.run(again.load([0]))
    loaded = [r for r in caplog.records if r.getMessage() == "subject keys loaded"]
    assert (loaded[-1].from_checkpoint, loaded[-1].records_read) == (1, 0)  # type: ignore[attr-defined]
    assert again[0].get("bob") is not None
    assert again[0].get("alice") is None
