"""The sink's files: durable Parquet writes, names that carry offsets, flush markers, and
what a restart finds.

A flush of one Kafka partition covers the records from `start` (the position it began at,
the last committed offset) up to `last`. It writes one Parquet file per (day, service)
under `day=D/service=S/`, each named `part-p{P}-{first}-{last}.parquet` after the first
and last offset of the flush, then a marker `_sink/p{P}/{start}-{last}.json` listing
those files. Every file is written under a dot name, fsynced, renamed into place and its
directory fsynced; the marker goes last, so a marker means its whole flush is durable.
The offset `last + 1` is committed after the marker.

On assignment, `recover` chains markers from the committed offset (a flush that was
durable but not committed is recognized, and its offsets are committed), then deletes
every data file and marker of the partition beyond that point: the rest of a flush that
died half-written, which is read and written again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from redactors import codec
from streams.sink.rows import SCHEMA, Row

__all__ = ["Flush", "Recovery", "parquet_glob", "recover", "write_flush"]

MARKERS = "_sink"  # "_" first: Spark and DuckDB's *.parquet globs skip it
_DATA = re.compile(r"part-p(\d+)-(\d+)-(\d+)\.parquet")
_MARKER = re.compile(r"(\d+)-(\d+)\.json")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _durable_rename(tmp: Path, final: Path) -> None:
    with tmp.open("rb+") as handle:
        os.fsync(handle.fileno())
    tmp.replace(final)
    _fsync_dir(final.parent)


@dataclass(frozen=True, slots=True)
class Flush:
    """One Kafka partition's rows from `start` up to `last`, grouped by (day, service)."""

    partition: int
    start: int  # the position this flush began at (the committed offset)
    first: int  # first record offset in it
    last: int  # last record offset in it
    groups: dict[tuple[str, str], list[Row]]

    @property
    def next_offset(self) -> int:
        return self.last + 1


def parquet_glob(root: Path) -> str:
    """The glob that reads the whole table (DuckDB: `read_parquet(glob, hive_partitioning =
    true)`; Spark: `spark.read.parquet(root)` finds the same files)."""
    return str(root / "day=*" / "service=*" / "*.parquet")


def data_name(partition: int, first: int, last: int) -> str:
    return f"part-p{partition:05d}-{first:019d}-{last:019d}.parquet"


def _marker_dir(root: Path, partition: int) -> Path:
    return root / MARKERS / f"p{partition:05d}"


def write_flush(root: Path, flush: Flush, *, compression: str = "zstd") -> list[Path]:
    """Write the flush's files and then its marker, each durably; the data files written."""
    written: list[Path] = []
    for (day, service), rows in sorted(flush.groups.items()):
        directory = root / f"day={day}" / f"service={service}"
        directory.mkdir(parents=True, exist_ok=True)
        final = directory / data_name(flush.partition, flush.first, flush.last)
        tmp = directory / f".{final.name}.tmp"
        table = pa.Table.from_pylist(rows, schema=SCHEMA)
        pq.write_table(table, tmp, compression=compression)
        _durable_rename(tmp, final)
        written.append(final)
    markers = _marker_dir(root, flush.partition)
    markers.mkdir(parents=True, exist_ok=True)
    marker = markers / f"{flush.start:019d}-{flush.last:019d}.json"
    tmp = markers / f".{marker.name}.tmp"
    tmp.write_bytes(codec.dumps({
        "partition": flush.partition, "start": flush.start, "first": flush.first,
        "last": flush.last, "rows": sum(map(len, flush.groups.values())),
        "files": [str(path.relative_to(root)) for path in written]}))
    _durable_rename(tmp, marker)
    return written


@dataclass(frozen=True, slots=True)
class Recovery:
    """Where to resume a partition, and what the last run left beyond that point."""

    next_offset: int
    recognized: int  # durable flushes past the committed offset, now counted as done
    removed: tuple[Path, ...]  # files of flushes that never completed


def _data_files(root: Path, partition: int) -> Iterable[tuple[Path, int]]:
    for path in root.glob(f"day=*/service=*/part-p{partition:05d}-*.parquet"):
        match = _DATA.fullmatch(path.name)
        if match:
            yield path, int(match.group(2))


def recover(root: Path, partition: int, committed: int) -> Recovery:
    """Chain the durable flushes that start at `committed`; remove whatever lies beyond
    them (data files and markers of the partition), and any leftover temporary file."""
    markers: dict[int, tuple[int, Path]] = {}
    directory = _marker_dir(root, partition)
    if directory.is_dir():
        for path in directory.iterdir():
            match = _MARKER.fullmatch(path.name)
            if match:
                markers[int(match.group(1))] = (int(match.group(2)), path)
    position, recognized = committed, 0
    while position in markers:
        position, recognized = markers[position][0] + 1, recognized + 1
    removed: list[Path] = []
    for path, first in _data_files(root, partition):
        if first >= position:
            removed.append(path)
    removed += [path for start, (_last, path) in markers.items() if start >= position]
    removed += _temporaries(root, partition)
    for path in removed:
        path.unlink(missing_ok=True)
    return Recovery(next_offset=position, recognized=recognized, removed=tuple(removed))


def _temporaries(root: Path, partition: int) -> Sequence[Path]:
    pattern = f".part-p{partition:05d}-*.parquet.tmp"
    return [*root.glob(f"day=*/service=*/{pattern}"),
            *_marker_dir(root, partition).glob(".*.tmp")]
