"""State read from a compacted topic, on disk: an LMDB environment and its checkpoint.

Used for privacy.consent (streams.state.consent), the subject keys changelog
(streams.state.keys) and the suppression list (streams.state.suppression). One
environment per topic on a host (`{state_dir}/{topic}.lmdb`), shared by the worker
processes there: LMDB maps the file, so the page cache holds one copy for all of them,
and it serialises their write transactions. Each write transaction stores records and
the offsets they cover together, so the checkpoint is always exactly what the data says.
Records below the stored offset of their partition are skipped, which makes the
processes' repeated writes of the same records harmless.

Keys are the subject's keyed hash (the suppression key's HMAC, 16 bytes), never the id:
after an erasure, what a freed page may still hold is that hash and 11 bytes of flags,
the same hash the suppression list keeps by design. LMDB does not scrub freed pages, so
that residue lasts until the page is reused or the store is rebuilt: a rebuild by the
store's only user removes the files (each process holds a shared lock on `*.users`).
Measured against RocksDB in
benchmarks/bench_state_store.py (README, "State at scale").
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import struct
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import lmdb

from redactors.suppression import SubjectHasher

__all__ = ["KEY_BYTES", "REOPEN_AFTER", "CheckpointStore", "Resume", "StoreWrite",
           "partition_prefix", "subject_key"]

log = logging.getLogger(__name__)

KEY_BYTES = 16
REOPEN_AFTER = 50_000  # records a load wrote before its dirty pages are worth returning
_OFFSET = struct.Struct("<q")
_TIME = struct.Struct("<d")
_PARTITION = struct.Struct(">H")
_FINGERPRINT, _CAUGHT_UP = b"fingerprint", b"caught_up_at"
_FOREIGN = "foreign (another topic, partition count, policy version or key)"


def subject_key(hasher: SubjectHasher, subject_id: str) -> bytes:
    """The store's key for a subject: the first 16 bytes of its suppression hash."""
    return hasher.digest(subject_id)[:KEY_BYTES]


def partition_prefix(partition: int) -> bytes:
    """The first bytes of every key of a partition's entries, in state split by partition."""
    return _PARTITION.pack(partition)


def _offset_key(partition: int) -> bytes:
    return b"offset/%d" % partition


def _caught_up_key(partition: int) -> bytes:
    return b"caught_up_at/%d" % partition


@dataclass(frozen=True, slots=True)
class StoreWrite:
    """One record to store: its position, the subject's key, and the packed value or None."""

    partition: int
    offset: int
    key: bytes
    value: bytes | None


@dataclass(frozen=True, slots=True)
class Resume:
    """Where reading privacy.consent starts: per partition, or everywhere from the start."""

    offsets: Mapping[int, int]
    reason: str  # "checkpoint" or why the store was rebuilt


class CheckpointStore:
    """The LMDB environment: values by subject key, and the checkpoint."""

    def __init__(self, path: Path, *, fingerprint: bytes, map_size: int, max_age: float,
                 kind: str = "consent", source: str = "privacy.consent",
                 clock: Callable[[], float] = time.time) -> None:
        """`fingerprint` names what the data was read from (topic, partitions, policy
        version, hash key); `max_age` is how old the last caught-up moment of a checkpoint
        may be (less than the topic's delete.retention.ms, or a tombstone may be gone).
        `kind` names the data (its database, format and log lines), `source` the topic."""
        self.path = path
        self.kind = kind
        # One template per kind: the log collapse (streams.observability) folds repeats of
        # a template, and the consent and keys stores' lines must both be seen.
        self._found_line = f"{kind} checkpoint found: reading {source} from it"
        self._rebuild_line = (f"{kind} checkpoint %s: rebuilding the {kind} store from the "
                              "whole topic")
        self._partition_line = f"{kind} checkpoint of partition %d %s: reading it from the start"
        self._fingerprint = b"logwarden-%s-1\0" % kind.encode() + fingerprint
        self._map_size = map_size
        self._max_age = max_age
        self._clock = clock
        self._env: lmdb.Environment | None = None
        self._users: int | None = None  # fd of the `.users` lock file
        self._data: lmdb._Database | None = None
        self._meta: lmdb._Database | None = None

    def _open(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        if self._users is None:
            users = self.path.parent / f"{self.path.name}.users"
            self._users = os.open(users, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._users, fcntl.LOCK_SH)
        self._env = lmdb.open(str(self.path), map_size=self._map_size, max_dbs=2,
                              metasync=False, readahead=False)
        self._data = self._env.open_db(self.kind.encode())
        self._meta = self._env.open_db(b"meta")

    def resume(self, begins: Mapping[int, int], ends: Mapping[int, int]) -> Resume:
        """Open the store and check its checkpoint against the topic's offsets now; a
        missing, corrupt, foreign or stale checkpoint empties the store (read it all)."""
        reason = self._open_checked()
        if reason == "checkpoint":
            try:
                reason, offsets = self._check(begins, ends)
            except (lmdb.Error, struct.error):
                reason, offsets = "corrupt", {}
            if reason == "checkpoint":
                log.info(self._found_line,
                         extra={"records_behind": sum(max(0, ends[p] - o)
                                                      for p, o in offsets.items())})
                return Resume(offsets, reason)
        self._rebuild(reason)
        return Resume({}, reason)

    def resume_partitions(self, begins: Mapping[int, int], ends: Mapping[int, int]
                          ) -> Resume:
        """For state split by partition (keys start with `partition_prefix`), checked one
        partition at a time as it is assigned: a missing, corrupt or foreign store is
        rebuilt whole; a partition whose checkpoint is missing, ahead of the topic, behind
        its log start or not caught up within `max_age` is emptied and read from the
        start. The others resume at their stored offsets."""
        reason = self._open_checked()
        if reason == "checkpoint":
            try:
                reason = self._check_fingerprint()
            except (lmdb.Error, struct.error):
                reason = "corrupt"
        if reason != "checkpoint":
            self._rebuild(reason, unless_fitting=True)
        offsets: dict[int, int] = {}
        with self._txn(write=True) as txn:
            for partition, end in ends.items():
                why, offset = self._check_partition(txn, partition, begins.get(partition, 0),
                                                    end)
                if why is None:
                    offsets[partition] = offset
                    continue
                self._drop_partition(txn, partition)
                if reason == "checkpoint" and why != "missing":
                    log.warning(self._partition_line, partition, why)
        if offsets:
            log.info(self._found_line,
                     extra={"partitions": len(offsets),
                            "records_behind": sum(max(0, ends[p] - o)
                                                  for p, o in offsets.items())})
        return Resume(offsets, reason)

    def _check_partition(self, txn: lmdb.Transaction, partition: int, begin: int,
                         end: int) -> tuple[str | None, int]:
        stored = txn.get(_offset_key(partition), db=self._meta)
        caught_up = txn.get(_caught_up_key(partition), db=self._meta)
        if stored is None or caught_up is None:
            return "missing", 0
        try:
            offset: int = _OFFSET.unpack(stored)[0]
            moment: float = _TIME.unpack(caught_up)[0]
        except struct.error:
            return "corrupt", 0
        if self._clock() - moment > self._max_age:
            return "stale (older than the tombstone retention allows)", 0
        if offset > end:
            return "foreign (ahead of the topic: recreated?)", 0
        if offset < begin:
            return "stale (the topic's log start moved past it)", 0
        return None, offset

    def _drop_partition(self, txn: lmdb.Transaction, partition: int) -> None:
        prefix = partition_prefix(partition)
        cursor = txn.cursor(db=self._data)
        found = cursor.set_range(prefix)
        while found and bytes(cursor.key()).startswith(prefix):
            found = cursor.delete()  # moves to the next entry
        txn.delete(_offset_key(partition), db=self._meta)
        txn.delete(_caught_up_key(partition), db=self._meta)

    def _open_checked(self) -> str:
        """Open the environment once; "corrupt" when LMDB cannot (its files are removed)."""
        if self._env is None:
            try:
                self._open()
            except lmdb.Error:
                if not self._remove_files():
                    raise  # another process has it open; it retries (consent feed)
                return "corrupt"
        return "checkpoint"

    def _check_fingerprint(self) -> str:
        with self._txn() as txn:
            fingerprint = txn.get(_FINGERPRINT, db=self._meta)
        if fingerprint is None:
            return "missing"
        return "checkpoint" if fingerprint == self._fingerprint else _FOREIGN

    def _rebuild(self, reason: str, *, unless_fitting: bool = False) -> None:
        """Empty the store. With `unless_fitting`, a store that another process on this
        host emptied and stamped meanwhile is kept: it may hold its partitions already."""
        if not self._remove_files() and not self._reset(unless_fitting=unless_fitting):
            return
        log.warning(self._rebuild_line, reason)

    def _check(self, begins: Mapping[int, int], ends: Mapping[int, int]
               ) -> tuple[str, dict[int, int]]:
        fitting = self._check_fingerprint()
        if fitting != "checkpoint":
            return fitting, {}
        with self._txn() as txn:
            caught_up = txn.get(_CAUGHT_UP, db=self._meta)
            if caught_up is None or self._clock() - _TIME.unpack(caught_up)[0] > self._max_age:
                return "stale (older than the tombstone retention allows)", {}
            offsets = {}
            for partition in ends:
                stored = txn.get(_offset_key(partition), db=self._meta)
                offsets[partition] = _OFFSET.unpack(stored)[0] if stored is not None else 0
        for partition, offset in offsets.items():
            if offset > ends[partition]:
                return "foreign (ahead of the topic: recreated?)", {}
            if offset < begins.get(partition, 0):
                return "stale (the topic's log start moved past it)", {}
        return "checkpoint", offsets

    def _txn(self, *, write: bool = False) -> lmdb.Transaction:
        assert self._env is not None, "resume() opens the store"
        return self._env.begin(write=write)

    def _remove_files(self) -> bool:
        """Delete and recreate the store if no other process uses it."""
        assert self._users is not None, "_open() takes the users lock"
        try:
            fcntl.flock(self._users, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        try:
            if self._env is not None:
                self._env.close()
                self._env = None
            shutil.rmtree(self.path, ignore_errors=True)
            self._open()
            self._reset()
        finally:
            fcntl.flock(self._users, fcntl.LOCK_SH)
        return True

    def _reset(self, *, unless_fitting: bool = False) -> bool:
        """Empty the store in place (shared: freed pages are reused later); False when
        `unless_fitting` and the fingerprint fits, read in the same write transaction."""
        assert self._data is not None, "resume() opens the store"
        assert self._meta is not None, "resume() opens the store"
        with self._txn(write=True) as txn:
            if unless_fitting and txn.get(_FINGERPRINT, db=self._meta) == self._fingerprint:
                return False
            txn.drop(self._data, delete=False)
            txn.drop(self._meta, delete=False)
            txn.put(_FINGERPRINT, self._fingerprint, db=self._meta)
        return True

    def get(self, key: bytes) -> bytes | None:
        with self._txn() as txn:
            value = txn.get(key, db=self._data)
            return None if value is None else bytes(value)

    def delete(self, keys: Iterable[bytes]) -> None:
        """Remove entries now, outside the checkpoint (an erasure ahead of its tombstones);
        opens the store if no partition was assigned yet."""
        self._open_checked()
        with self._txn(write=True) as txn:
            for key in keys:
                txn.delete(key, db=self._data)

    def put(self, key: bytes, value: bytes) -> None:
        """Store an entry now, outside the checkpoint (one its topic will carry as well)."""
        self._open_checked()
        with self._txn(write=True) as txn:
            txn.put(key, value, db=self._data)

    def write(self, records: Iterable[StoreWrite], positions: Mapping[int, int],
              caught_up_at: float | None = None, caught_up: Iterable[int] = ()) -> None:
        """Store records and advance the checkpoint to `positions`, in one transaction;
        `caught_up_at` is when the whole topic, or the `caught_up` partitions, were read to
        their end."""
        with self._txn(write=True) as txn:
            covered: dict[int, int] = {}
            for partition in positions:
                stored = txn.get(_offset_key(partition), db=self._meta)
                covered[partition] = _OFFSET.unpack(stored)[0] if stored is not None else 0
            for r in records:
                if r.offset < covered.get(r.partition, 0):
                    continue  # another process on this host stored it already
                if r.value is None:
                    txn.delete(r.key, db=self._data)
                else:
                    txn.put(r.key, r.value, db=self._data)
            for partition, position in positions.items():
                if position > covered[partition]:
                    txn.put(_offset_key(partition), _OFFSET.pack(position), db=self._meta)
            if caught_up_at is not None:
                moment = _TIME.pack(caught_up_at)
                partitions = list(caught_up)
                for partition in partitions:
                    txn.put(_caught_up_key(partition), moment, db=self._meta)
                if not partitions:
                    txn.put(_CAUGHT_UP, moment, db=self._meta)

    def reopen(self) -> None:
        """Close and open the environment again, to return its dirty-page memory: LMDB
        keeps every page a write transaction dirtied on a free list until the environment
        closes (mdb_page_free), which after a load from scratch is about the store's size,
        private to the process (measured: 1 M keys, 160 MiB)."""
        if self._env is not None:
            self._env.close()
            self._env = None
            self._open()

    def __len__(self) -> int:
        if self._env is None:
            return 0
        with self._txn() as txn:
            entries: int = txn.stat(self._data)["entries"]
            return entries

    def close(self) -> None:
        if self._env is not None:
            self._env.close()
            self._env = None
        if self._users is not None:
            os.close(self._users)  # releases the lock
            self._users = None
