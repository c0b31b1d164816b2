"""The consent store: compact values, bounded cache, checkpoints that are checked, erasure."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from redactors.consent import ConsentState
from redactors.suppression import SubjectHasher
from streams.state.consent import StoredConsent
from streams.state.encoding import PACKED_SIZE, pack_consent, unpack_consent
from streams.state.store import CheckpointStore, subject_key
from tests.unit.streams.state.kit import HOUR, NOW, Clock, damage


@pytest.fixture
def hasher() -> SubjectHasher:
    return SubjectHasher(os.urandom(32), key_id="t1")


def store_at(path: Path, clock: Clock, fingerprint: bytes = b"topic|4|v1") -> CheckpointStore:
    return CheckpointStore(path, fingerprint=fingerprint, map_size=1 << 26, max_age=12 * HOUR,
                        clock=clock)


def consent(subject: str, **flags: object) -> ConsentState:
    return ConsentState(subject_id=subject, updated_at="2026-11-01T10:00:00.123Z",
                        **flags)  # type: ignore[arg-type]


ENDS = {0: 10, 1: 10}
BEGINS = {0: 0, 1: 0}


def loaded(path: Path, hasher: SubjectHasher, clock: Clock, subjects: int = 10,
           cache_size: int = 1000) -> StoredConsent:
    """A store holding s0..s{n-1} (full consent) up to offset 10 of both partitions."""
    view = StoredConsent(store_at(path, clock), hasher, cache_size=cache_size)
    assert view.resume(BEGINS, ENDS).reason == "missing"
    for i in range(subjects):
        view.put(i % 2, i // 2, consent(f"s{i}", analytics=True, profiling=True))
    view.flush(ENDS, caught_up_at=clock())
    return view


@pytest.mark.parametrize("state", [
    consent("a"),
    consent("a", analytics=True, profiling=True, marketing=True, gpc=True, birth_year=1990),
    consent("a", analytics=True, birth_year=2015),
    ConsentState(subject_id="a", marketing=True),  # no updated_at
    ConsentState(subject_id="a", birth_year=1900, updated_at="1969-12-31T23:59:59.000Z"),
])
def test_packed_consent_round_trips_in_eleven_bytes(state: ConsentState) -> None:
    packed = pack_consent(state)
    assert len(packed) == PACKED_SIZE == 11
    assert unpack_consent("a", packed) == state


@pytest.mark.parametrize(("written", "read"), [
    ("2026-11-01T10:00:00Z", "2026-11-01T10:00:00.000Z"),
    ("2026-11-01T12:00:00.123456+02:00", "2026-11-01T10:00:00.123Z"),
])
def test_updated_at_is_kept_to_the_millisecond_in_utc(written: str, read: str) -> None:
    packed = pack_consent(ConsentState(subject_id="a", updated_at=written))
    assert unpack_consent("a", packed).updated_at == read


@pytest.mark.parametrize("value", [b"", b"\x01" * 10, b"\x01" * 12])
def test_a_value_of_another_size_is_refused(value: bytes) -> None:
    with pytest.raises(ValueError, match="packed consent"):
        unpack_consent("a", value)


def test_a_miss_reads_the_store_and_the_cache_stays_bounded(tmp_path: Path,
                                                            hasher: SubjectHasher) -> None:
    clock = Clock()
    loaded(tmp_path / "c.lmdb", hasher, clock, subjects=10, cache_size=4).store.close()
    other = StoredConsent(store_at(tmp_path / "c.lmdb", clock), hasher, cache_size=4)
    assert other.resume(BEGINS, ENDS).reason == "checkpoint"
    for i in range(10):  # a fresh cache: every answer comes from the store
        assert other.get(f"s{i}") == consent(f"s{i}", analytics=True, profiling=True)
        assert other.cached() <= 4
    assert other.get("nobody") is None
    assert len(other) == 10


def test_the_store_holds_keyed_hashes_never_subject_ids(tmp_path: Path,
                                                        hasher: SubjectHasher) -> None:
    loaded(tmp_path / "c.lmdb", hasher, Clock())
    files = b"".join(f.read_bytes() for f in (tmp_path / "c.lmdb").iterdir())
    assert subject_key(hasher, "s3") in files
    for i in range(10):  # random hash bytes can spell "s3" by chance
        files = files.replace(subject_key(hasher, f"s{i}"), b"")
    assert b"s3" not in files


def test_erasure_removes_the_subject_from_store_and_cache(tmp_path: Path,
                                                          hasher: SubjectHasher) -> None:
    clock = Clock()
    view = loaded(tmp_path / "c.lmdb", hasher, clock)
    assert view.get("s3") is not None  # cached now
    view.delete(1, 10, "s3")
    assert view.get("s3") is None  # before the write, too
    view.flush({1: 11})
    assert view.get("s3") is None
    assert view.store.get(subject_key(hasher, "s3")) is None
    assert len(view) == 9
    view.store.close()
    reopened = StoredConsent(store_at(tmp_path / "c.lmdb", clock), hasher, cache_size=10)
    assert reopened.resume(BEGINS, {0: 10, 1: 11}).reason == "checkpoint"
    assert reopened.get("s3") is None


def test_a_tombstoned_child_stays_one_in_memory_only(tmp_path: Path,
                                                     hasher: SubjectHasher) -> None:
    clock = Clock()
    view = loaded(tmp_path / "c.lmdb", hasher, clock, cache_size=2)
    child = ConsentState(subject_id="s4", birth_year=2016)
    view.delete(0, 10, "s4", keep=child)
    view.flush({0: 11})
    for i in range(6):  # push s4 out of the cache: the kept state still answers
        view.get(f"s{i}")
    assert view.get("s4") == child
    assert view.store.get(subject_key(hasher, "s4")) is None


def test_a_rebuild_by_the_only_user_leaves_no_erased_hash_in_the_files(
        tmp_path: Path, hasher: SubjectHasher) -> None:
    clock = Clock()
    view = loaded(tmp_path / "c.lmdb", hasher, clock, subjects=500)
    erased = subject_key(hasher, "s7")
    view.delete(1, 10, "s7")
    view.flush({1: 11})
    view.store.close()
    clock.now += 13 * HOUR  # past the checkpoint's age: rebuilt from the topic
    again = StoredConsent(store_at(tmp_path / "c.lmdb", clock), hasher, cache_size=10)
    assert again.resume(BEGINS, ENDS).reason.startswith("stale")
    files = b"".join(f.read_bytes() for f in (tmp_path / "c.lmdb").iterdir())
    assert erased not in files
    assert len(again) == 0


def test_the_checkpoint_gives_the_stored_offsets(tmp_path: Path,
                                                 hasher: SubjectHasher) -> None:
    clock = Clock()
    loaded(tmp_path / "c.lmdb", hasher, clock).store.close()
    clock.now += HOUR
    store = store_at(tmp_path / "c.lmdb", clock)
    resume = store.resume(BEGINS, {0: 25, 1: 10})
    assert (resume.reason, dict(resume.offsets)) == ("checkpoint", ENDS)


@pytest.mark.parametrize(("change", "reason"), [
    ("fingerprint", "foreign"),
    ("ahead", "foreign"),
    ("log_start", "stale"),
    ("age", "stale"),
    ("garbage", "corrupt"),
    ("truncated", "missing"),  # an empty file is a new environment to LMDB
    ("missing", "missing"),
])
def test_a_checkpoint_that_does_not_fit_is_rebuilt_with_a_log_line(
        tmp_path: Path, hasher: SubjectHasher, caplog: pytest.LogCaptureFixture,
        change: str, reason: str) -> None:
    clock = Clock()
    path = tmp_path / "c.lmdb"
    loaded(path, hasher, clock).store.close()
    fingerprint, begins, ends = b"topic|4|v1", dict(BEGINS), dict(ENDS)
    if change == "fingerprint":
        fingerprint = b"other.topic|4|v1"
    elif change == "ahead":
        ends[1] = 5  # the topic holds less than the checkpoint covers: recreated
    elif change == "log_start":
        begins[0] = 12
        ends[0] = 20
    elif change == "age":
        clock.now += 13 * HOUR
    else:
        damage(path, change)
    view = StoredConsent(store_at(path, clock, fingerprint), hasher, cache_size=10)
    with caplog.at_level(logging.INFO, logger="streams.state.store"):
        resume = view.resume(begins, ends)
    assert resume.reason.startswith(reason)
    assert resume.offsets == {}
    assert len(view) == 0
    assert view.get("s1") is None
    assert f"consent checkpoint {reason}" in caplog.text
    assert "rebuilding the consent store from the whole topic" in caplog.text
    view.put(0, 0, consent("s1"))  # and it works again
    view.flush({0: 1}, caught_up_at=clock())
    assert view.store.get(subject_key(hasher, "s1")) is not None


def test_processes_sharing_a_store_do_not_move_it_backwards(tmp_path: Path,
                                                            hasher: SubjectHasher) -> None:
    clock = Clock()
    ahead = loaded(tmp_path / "c.lmdb", hasher, clock)
    ahead.put(0, 10, consent("s0"))  # s0 withdrew consent at offset 10
    ahead.flush({0: 11})
    ahead.store.close()  # LMDB opens an environment once per process: take turns
    behind = StoredConsent(store_at(tmp_path / "c.lmdb", clock), hasher, cache_size=10)
    behind.store.resume(BEGINS, {0: 11, 1: 10})
    behind.put(0, 0, consent("s0", analytics=True, profiling=True))  # replaying offset 0
    behind.flush({0: 1})
    behind.store.close()
    fresh = StoredConsent(store_at(tmp_path / "c.lmdb", clock), hasher, cache_size=10)
    resume = fresh.resume(BEGINS, {0: 11, 1: 10})
    assert resume.offsets[0] == 11
    assert fresh.get("s0") == consent("s0")


def test_a_large_load_reopens_the_store_once_caught_up(
        tmp_path: Path, hasher: SubjectHasher, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streams.state.view.REOPEN_AFTER", 5)
    view = StoredConsent(store_at(tmp_path / "c.lmdb", Clock()), hasher, cache_size=10)
    view.resume(BEGINS, ENDS)
    for i in range(10):
        view.put(i % 2, i // 2, consent(f"s{i}"))
    view.flush(ENDS)  # not caught up yet: kept
    loading = view.store._env
    assert loading is not None
    view.flush({}, caught_up_at=NOW)  # the load is over: reopened
    settled = view.store._env
    assert settled is not loading
    view.put(0, 10, consent("s0", analytics=True))
    view.flush({0: 11}, caught_up_at=NOW)  # one record since: kept
    assert view.store._env is settled
    assert view.get("s1") == consent("s1")
