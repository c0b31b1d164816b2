"""The subject keys on disk: wrapped values, per-partition checkpoints, erasure, cache."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

import pytest

from redactors.suppression import SubjectHasher
from streams.state.keys import KeyChange, KeyWrap, StoredKeys
from streams.state.store import CheckpointStore, partition_prefix, subject_key
from tests.unit.streams.state.kit import HOUR, NOW, Clock, damage

PARTITIONS = 4
ENDS = {0: 10, 1: 10}
BEGINS = {0: 0, 1: 0}


@pytest.fixture
def hasher() -> SubjectHasher:
    return SubjectHasher(os.urandom(32), key_id="t1")


def keys_at(path: Path, hasher: SubjectHasher, clock: Clock, *, fingerprint: bytes = b"kc|4",
            cache_size: int = 1000) -> StoredKeys:
    store = CheckpointStore(path, fingerprint=fingerprint, map_size=1 << 26,
                            max_age=12 * HOUR, kind="keys", source="the keys changelog",
                            clock=clock)
    return StoredKeys(store, hasher, partitions=PARTITIONS, cache_size=cache_size)


def data_key(subject: str, partition: int) -> bytes:
    return (f"{partition}:{subject}".encode() * 32)[:32]


def loaded(path: Path, hasher: SubjectHasher, clock: Clock, subjects: int = 10,
           cache_size: int = 1000) -> StoredKeys:
    """s0..s{n-1} hold a key in partitions 0 and 1, both read to offset 10 and caught up."""
    keys = keys_at(path, hasher, clock, cache_size=cache_size)
    assert keys.resume(BEGINS, ENDS) == {}
    changes = [KeyChange(p, i % 10, f"s{i}", data_key(f"s{i}", p))
               for p in (0, 1) for i in range(subjects)]
    keys.write(changes, ENDS, (0, 1), clock())
    return keys


def test_a_restart_resumes_each_partition_from_its_checkpoint(tmp_path: Path,
                                                              hasher: SubjectHasher) -> None:
    clock = Clock()
    loaded(tmp_path / "k.lmdb", hasher, clock).close()
    clock.now += HOUR
    again = keys_at(tmp_path / "k.lmdb", hasher, clock, cache_size=4)
    assert again.resume(BEGINS, {0: 25, 1: 10}) == ENDS
    for i in range(10):  # a cold cache: every answer comes from the store, unwrapped
        assert again.get(1, f"s{i}") == data_key(f"s{i}", 1)
        assert again.cached() <= 4
    assert again.get(2, "s1") is None
    assert len(again) == 20


def test_file_residue_is_keyed_hashes_and_ciphertext(tmp_path: Path,
                                                     hasher: SubjectHasher) -> None:
    loaded(tmp_path / "k.lmdb", hasher, Clock()).close()
    files = b"".join(f.read_bytes() for f in (tmp_path / "k.lmdb").iterdir())
    assert partition_prefix(1) + subject_key(hasher, "s3") in files
    assert data_key("s3", 1) not in files
    assert b"s3" not in files.replace(subject_key(hasher, "s3"), b"")


def test_values_unwrap_only_in_their_slot_and_under_their_key(hasher: SubjectHasher) -> None:
    wrap = KeyWrap(hasher)
    sealed = wrap.wrap(b"slot-a", b"k" * 32)
    assert wrap.unwrap(b"slot-a", sealed) == b"k" * 32
    assert "***" in repr(wrap)
    with pytest.raises(ValueError, match="not a key wrapped"):
        wrap.unwrap(b"slot-b", sealed)  # moved to another subject or partition
    with pytest.raises(ValueError, match="not a key wrapped"):
        KeyWrap(SubjectHasher(os.urandom(32), key_id="t1")).unwrap(b"slot-a", sealed)


def test_a_value_moved_to_another_slot_reads_as_no_key(tmp_path: Path,
                                                       hasher: SubjectHasher) -> None:
    keys = loaded(tmp_path / "k.lmdb", hasher, Clock())
    slot = partition_prefix(0) + subject_key(hasher, "s1")
    moved = keys.store.get(partition_prefix(0) + subject_key(hasher, "s2"))
    assert moved is not None
    with keys.store._txn(write=True) as txn:
        txn.put(slot, moved, db=keys.store._data)
    assert keys.get(0, "s1") is None
    assert keys.read_errors == 1


def test_erasure_removes_the_key_in_every_partition_from_store_and_cache(
        tmp_path: Path, hasher: SubjectHasher) -> None:
    clock = Clock()
    keys = loaded(tmp_path / "k.lmdb", hasher, clock)
    assert keys.get(0, "s3") is not None  # cached now
    keys.forget("s3")
    assert (keys.get(0, "s3"), keys.get(1, "s3")) == (None, None)
    assert keys.store.get(partition_prefix(1) + subject_key(hasher, "s3")) is None
    assert len(keys) == 18
    keys.close()
    again = keys_at(tmp_path / "k.lmdb", hasher, clock)
    assert again.resume(BEGINS, ENDS) == ENDS
    assert (again.get(0, "s3"), again.get(1, "s3")) == (None, None)


def test_changes_follow_cached_subjects_and_tombstones_delete(tmp_path: Path,
                                                              hasher: SubjectHasher) -> None:
    clock = Clock()
    keys = loaded(tmp_path / "k.lmdb", hasher, clock)
    assert keys.get(0, "s1") == data_key("s1", 0)
    keys.write([KeyChange(0, 10, "s1", None), KeyChange(0, 11, "new", b"n" * 32)],
               {0: 12}, (), clock())
    assert keys.get(0, "s1") is None
    assert keys.get(0, "new") == b"n" * 32
    keys.write([KeyChange(0, 3, "s1", b"o" * 32)], {0: 4}, (), clock())  # a replay behind
    assert keys.store.get(partition_prefix(0) + subject_key(hasher, "s1")) is None


@pytest.mark.parametrize(("change", "reason"), [
    ("age", "stale"),
    ("ahead", "foreign"),
    ("log_start", "stale"),
])
def test_a_partition_whose_checkpoint_does_not_fit_is_read_again_alone(
        tmp_path: Path, hasher: SubjectHasher, caplog: pytest.LogCaptureFixture,
        change: str, reason: str) -> None:
    clock = Clock()
    keys = loaded(tmp_path / "k.lmdb", hasher, clock)
    keys.close()
    begins, ends = dict(BEGINS), dict(ENDS)
    keys = keys_at(tmp_path / "k.lmdb", hasher, clock)
    keys.resume({0: 0}, {0: 10})  # partition 0 stays current; partition 1 is elsewhere
    if change == "age":
        clock.now += 13 * HOUR
        keys.write([], {0: 10}, (0,), clock())
    elif change == "ahead":
        ends[1] = 5
    else:
        begins[1], ends[1] = 12, 20
    with caplog.at_level(logging.INFO, logger="streams.state.store"):
        assert keys.resume(begins, ends) == {0: 10}
    assert f"keys checkpoint of partition 1 {reason}" in caplog.text
    assert keys.get(1, "s1") is None  # emptied: read from the start
    assert keys.get(0, "s1") == data_key("s1", 0)
    assert len(keys) == 10


@pytest.mark.parametrize(("change", "reason"), [
    ("fingerprint", "foreign"),
    ("garbage", "corrupt"),
    ("missing", "missing"),
])
def test_a_store_that_does_not_fit_is_rebuilt_whole_with_a_log_line(
        tmp_path: Path, hasher: SubjectHasher, caplog: pytest.LogCaptureFixture,
        change: str, reason: str) -> None:
    clock = Clock()
    path = tmp_path / "k.lmdb"
    loaded(path, hasher, clock).close()
    fingerprint = b"kc|4" if damage(path, change) else b"kc|8"
    keys = keys_at(path, hasher, clock, fingerprint=fingerprint)
    with caplog.at_level(logging.INFO, logger="streams.state.store"):
        assert keys.resume(BEGINS, ENDS) == {}
    assert f"keys checkpoint {reason}" in caplog.text
    assert "rebuilding the keys store from the whole topic" in caplog.text
    assert len(keys) == 0
    assert keys.get(0, "s1") is None
    keys.write([KeyChange(0, 0, "s1", b"k" * 32)], {0: 1}, (0,), clock())  # works again
    assert keys.get(0, "s1") == b"k" * 32


def test_another_suppression_key_makes_the_store_foreign(tmp_path: Path,
                                                         hasher: SubjectHasher) -> None:
    from streams.settings import Settings
    from streams.state.build import key_table

    env = {"LOGWARDEN_SUPPRESSION_KEY": "s1:" + "A" * 44}
    settings = Settings(state_dir=str(tmp_path), partitions=2)
    table = key_table(settings, "kc", env=env)
    assert isinstance(table, StoredKeys)
    assert table.resume(BEGINS, ENDS) == {}
    table.write([KeyChange(0, 0, "s1", b"k" * 32)], {0: 1, 1: 0}, (0, 1), NOW + 1e9)
    table.close()
    other = key_table(settings, "kc", env={"LOGWARDEN_SUPPRESSION_KEY": "s2:" + "B" * 44})
    assert isinstance(other, StoredKeys)
    assert other.resume(BEGINS, ENDS) == {}
    assert len(other) == 0


def test_a_shared_store_another_process_stamped_meanwhile_is_kept(
        tmp_path: Path, hasher: SubjectHasher) -> None:
    keys = loaded(tmp_path / "k.lmdb", hasher, Clock())
    other = os.open(tmp_path / "k.lmdb.users", os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_SH)  # a second process uses the store
    try:
        # What a process that saw no fingerprint before the other stamped it does next:
        keys.store._rebuild("missing", unless_fitting=True)
        assert len(keys) == 20
        keys.store._rebuild("stale")  # the consent store's rebuild empties it in place
        assert len(keys) == 0
    finally:
        os.close(other)


def test_an_erasure_before_any_assignment_reaches_the_store(tmp_path: Path,
                                                            hasher: SubjectHasher) -> None:
    clock = Clock()
    loaded(tmp_path / "k.lmdb", hasher, clock).close()
    restarted = keys_at(tmp_path / "k.lmdb", hasher, clock)  # not resumed: nothing assigned
    restarted.forget("s3")
    assert restarted.store.get(partition_prefix(0) + subject_key(hasher, "s3")) is None
    assert len(restarted) == 18


def test_a_large_load_reopens_the_store_and_it_still_answers(
        tmp_path: Path, hasher: SubjectHasher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streams.state.keys.REOPEN_AFTER", 15)
    keys = loaded(tmp_path / "k.lmdb", hasher, Clock(), cache_size=2)  # 20 records
    environment = keys.store._env
    keys.settle()
    assert keys.store._env is not environment
    assert keys.get(1, "s7") == data_key("s7", 1)
    keys.settle()  # nothing written since: kept
    assert keys.store._env is not None
