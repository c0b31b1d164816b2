"""The sink's files without Kafka: names, markers, and what a restart keeps or removes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from streams.sink.files import Flush, parquet_glob, recover, write_flush
from streams.sink.rows import UNKNOWN_SERVICE, partition_of, row_for


def _flush(partition: int, start: int, first: int, last: int) -> Flush:
    groups: dict[tuple[str, str], list[dict[str, object]]] = {}
    for offset in range(first, last + 1):
        record = {"ts": f"2026-11-2{offset % 2 + 5}", "service": f"svc{offset % 3}",
                  "event": "login", "_privacy": {"tier": "full"}}
        groups.setdefault(partition_of(record, 0), []).append(
            row_for(record, partition, offset, 1_764_000_000_000))
    return Flush(partition=partition, start=start, first=first, last=last, groups=groups)


def _offsets(root: Path) -> list[tuple[int, int]]:
    rows = duckdb.execute("select kafka_partition, kafka_offset from read_parquet(?, "
                          "hive_partitioning = true) order by all", [parquet_glob(root)])
    return [(int(p), int(o)) for p, o in rows.fetchall()]


def test_flush_files_are_hive_partitioned_and_name_their_offsets(tmp_path: Path) -> None:
    written = write_flush(tmp_path, _flush(3, 0, 0, 11))
    assert {p.parent.parent.name for p in written} == {"day=2026-11-25", "day=2026-11-26"}
    assert {p.parent.name for p in written} == {"service=svc0", "service=svc1", "service=svc2"}
    assert all(p.name == f"part-p00003-{0:019d}-{11:019d}.parquet" for p in written)
    rows = duckdb.execute("select day, service, count(*) from read_parquet(?, "
                          "hive_partitioning = true) group by all order by all",
                          [parquet_glob(tmp_path)]).fetchall()
    assert sum(n for *_, n in rows) == 12
    assert (str(rows[0][0]), rows[0][1]) == ("2026-11-25", "svc0")


def test_a_durable_uncommitted_flush_is_recognized(tmp_path: Path) -> None:
    write_flush(tmp_path, _flush(0, 0, 0, 9))
    write_flush(tmp_path, _flush(0, 10, 11, 19))  # offset 10: a transaction marker
    found = recover(tmp_path, 0, committed=0)
    assert (found.next_offset, found.recognized, found.removed) == (20, 2, ())
    assert _offsets(tmp_path) == [(0, o) for o in [*range(10), *range(11, 20)]]


def test_a_half_written_flush_is_removed_and_other_partitions_kept(tmp_path: Path) -> None:
    write_flush(tmp_path, _flush(0, 0, 0, 9))
    write_flush(tmp_path, _flush(1, 0, 0, 4))
    write_flush(tmp_path, _flush(0, 10, 10, 29))
    marker = tmp_path / "_sink" / "p00000" / f"{10:019d}-{29:019d}.json"
    marker.unlink()  # killed before the marker: the flush is incomplete
    leftover = tmp_path / "day=2026-11-25" / "service=svc0" / ".part-p00000-x.parquet.tmp"
    leftover.write_bytes(b"half")
    found = recover(tmp_path, 0, committed=10)
    assert found.next_offset == 10
    assert found.recognized == 0
    assert leftover in found.removed
    assert _offsets(tmp_path) == sorted([(0, o) for o in range(10)] + [(1, o) for o in range(5)])


def test_files_beyond_the_committed_offset_without_a_chain_are_removed(tmp_path: Path) -> None:
    write_flush(tmp_path, _flush(2, 0, 0, 9))
    write_flush(tmp_path, _flush(2, 15, 15, 19))  # does not start where the chain ends
    found = recover(tmp_path, 2, committed=10)
    assert found.next_offset == 10
    assert [p.suffix for p in found.removed].count(".json") == 1  # the stray marker
    assert _offsets(tmp_path) == [(2, o) for o in range(10)]


@pytest.mark.parametrize(("record", "expected"), [
    ({"ts": "2026-11-25T10:00:00Z", "service": "web"}, ("2026-11-25", "web")),
    ({"ts": "2026-11-25", "service": "a/b c"}, ("2026-11-25", "a%2Fb%20c")),
    ({"ts": "Jan 12", "service": ".."}, ("2025-11-24", UNKNOWN_SERVICE)),
    ({"service": 7}, ("2025-11-24", UNKNOWN_SERVICE)),
])
def test_partition_of(record: dict[str, object], expected: tuple[str, str]) -> None:
    assert partition_of(record, 1_764_000_000_000) == expected


def test_row_reads_the_analytics_fields() -> None:
    record = {"ts": "2026-11-25", "service": "s", "event": "login",
              "ip": {"country": None}, "geo": {"country": "FR"},
              "user_agent": {"browser": "Chrome", "os": "Windows", "device": "desktop"},
              "_privacy": {"tier": "full", "policy": "p1", "gpc": True,
                           "marketing_opt_out": True, "third_party_sharing": False}}
    row = row_for(record, 1, 5, 0)
    assert (row["country"], row["browser"], row["privacy_tier"], row["gpc"]) == (
        "FR", "Chrome", "full", True)
    assert row["user_id"] is None
