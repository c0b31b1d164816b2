"""The suppression list on disk: packed entries, cached answers, checkpoints, erasure,
and the view that folds the changelog's JSON records into it."""

from __future__ import annotations

import os
from pathlib import Path

import faust
import lmdb
import pytest

from redactors import codec
from redactors.suppression import SubjectHasher, SuppressionEntry, SuppressionList
from streams.state.encoding import pack_suppression, unpack_suppression
from streams.state.store import CheckpointStore
from streams.state.suppression import StoredSuppression
from streams.suppression_view import SuppressionView
from tests.unit.streams.state.kit import HOUR, Clock

ENDS = {0: 10, 1: 10}
BEGINS = {0: 0, 1: 0}
ENTRY = {"reason": "erased", "since": "2026-11-01T10:00:00.123Z", "request_id": "r-1"}


def stored_at(path: Path, clock: Clock, cache_size: int = 1000) -> StoredSuppression:
    store = CheckpointStore(path, fingerprint=b"changelog|2", map_size=1 << 26,
                            max_age=12 * HOUR, clock=clock, kind="suppression",
                            source="the suppression changelog")
    return StoredSuppression(store, cache_size=cache_size)


def loaded(path: Path, clock: Clock, cache_size: int = 1000) -> StoredSuppression:
    """h0..h9 listed, up to offset 10 of both partitions."""
    listed = stored_at(path, clock, cache_size)
    assert listed.resume(BEGINS, ENDS).reason == "missing"
    for i in range(10):
        listed.put(i % 2, i // 2, f"s1:h{i}", ENTRY)
    listed.flush(ENDS, caught_up_at=clock())
    return listed


@pytest.mark.parametrize("entry", [
    ENTRY, {**ENTRY, "reason": "child"}, {**ENTRY, "request_id": "child-" + "f" * 32}])
def test_an_entry_packs_into_nine_bytes_and_its_request_id(entry: dict[str, str]) -> None:
    packed = pack_suppression(entry)
    assert len(packed) == 9 + len(entry["request_id"])
    assert unpack_suppression(packed) == entry


def test_an_entry_that_does_not_read_as_one_is_kept_as_erased() -> None:
    assert unpack_suppression(pack_suppression({"reason": "?", "since": "yesterday"})) == {
        "reason": "erased", "since": "", "request_id": ""}
    with pytest.raises(ValueError, match="not a packed suppression entry"):
        unpack_suppression(b"\x07")


def test_entries_read_from_the_changelog_are_listed_after_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    listed = loaded(tmp_path / "s.lmdb", clock)
    assert "s1:h3" in listed
    assert "s1:h99" not in listed
    assert listed.get("s1:h3") == ENTRY
    assert listed.get("s1:h99") is None
    listed.store.close()
    again = stored_at(tmp_path / "s.lmdb", clock)
    resume = again.resume(BEGINS, {0: 12, 1: 10})
    assert (resume.reason, dict(resume.offsets)) == ("checkpoint", ENDS)
    assert "s1:h3" in again
    assert len(again) == 10


def test_a_cached_no_turns_yes_when_the_entry_is_read(tmp_path: Path) -> None:
    listed = loaded(tmp_path / "s.lmdb", Clock())
    assert "s1:new" not in listed  # cached: not listed
    listed.put(0, 10, "s1:new", ENTRY)
    assert "s1:new" in listed  # before the write, too
    listed.flush({0: 11})
    assert "s1:new" in listed
    assert listed.store.get(b"s1:new") is not None


def test_a_tombstone_removes_the_entry_from_store_and_cache(tmp_path: Path) -> None:
    listed = loaded(tmp_path / "s.lmdb", Clock())
    assert "s1:h4" in listed
    listed.put(0, 10, "s1:h4", None)  # `logwarden suppression rekey` deletes the old hash
    listed.flush({0: 11})
    assert "s1:h4" not in listed
    assert listed.store.get(b"s1:h4") is None
    assert len(listed) == 9


def test_an_own_entry_is_stored_at_once_ahead_of_its_record(tmp_path: Path) -> None:
    clock = Clock()
    hasher = SubjectHasher(os.urandom(32), key_id="s1")
    listed = loaded(tmp_path / "s.lmdb", clock)
    suppression = SuppressionList(hasher, listed)
    assert not suppression.is_suppressed("alice")
    entry = SuppressionEntry.from_dict(ENTRY)
    assert suppression.suppress("alice", entry) is True
    assert suppression.is_suppressed("alice")
    assert suppression.entry("alice") == entry
    assert suppression.suppress("alice", entry) is False
    listed.store.close()
    again = stored_at(tmp_path / "s.lmdb", clock)
    again.resume(BEGINS, ENDS)
    assert SuppressionList(hasher, again).is_suppressed("alice")


def test_a_store_that_cannot_be_read_answers_suppressed(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    listed = loaded(tmp_path / "s.lmdb", Clock())

    def broken(key: bytes) -> bytes | None:
        raise lmdb.ReadonlyError("spoiled")

    monkeypatch.setattr(listed.store, "get", broken)
    assert "s1:anyone" in listed  # fail closed: the event is dropped
    assert listed.read_errors == 1


def test_the_cache_stays_bounded(tmp_path: Path) -> None:
    listed = loaded(tmp_path / "s.lmdb", Clock(), cache_size=4)
    for i in range(10):
        assert f"s1:h{i}" in listed
        assert f"s1:x{i}" not in listed
    assert listed.cached() <= 4


def view(stored: StoredSuppression | None) -> SuppressionView:
    return SuppressionView(faust.App("t", broker="kafka://127.0.0.1:1"), "changelog", 2,
                           follow=False, stored=stored)


@pytest.fixture(params=["memory", "lmdb"])
def folding(request: pytest.FixtureRequest, tmp_path: Path) -> SuppressionView:
    if request.param == "memory":
        return view(None)
    stored = stored_at(tmp_path / "s.lmdb", Clock())
    stored.resume(BEGINS, {0: 0, 1: 0})
    return view(stored)


def test_the_view_folds_changelog_records(folding: SuppressionView) -> None:
    folding.apply(codec.dumps("s1:a"), codec.dumps(ENTRY), 0, 0)
    folding.apply(codec.dumps("s1:b"), codec.dumps(ENTRY), 1, 0)
    folding.apply(codec.dumps("s1:a"), None, 0, 1)  # a tombstone
    folding.apply(codec.dumps("__logwarden_roll__"), None, 1, 1)  # a roll marker: no-op
    assert "s1:b" in folding
    assert "s1:a" not in folding
    assert folding.entries.get("s1:b") == ENTRY


def test_an_unreadable_entry_keeps_its_subject_suppressed(folding: SuppressionView) -> None:
    folding.apply(codec.dumps("s1:a"), b"{not json", 0, 0)
    folding.apply(codec.dumps("s1:b"), codec.dumps(["a list"]), 0, 1)
    folding.apply(b"\xff\xfe", codec.dumps(ENTRY), 0, 2)  # no hash to look up: skipped
    assert "s1:a" in folding
    assert "s1:b" in folding
    assert folding.unreadable == 3
    if isinstance(folding.entries, StoredSuppression):
        folding.entries.flush({0: 3})  # the store counts what was written
    assert len(folding) == 2
