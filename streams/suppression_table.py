"""The suppressed-subjects table: erased or child subjects, seen by every worker."""

from __future__ import annotations

from typing import Any

import faust

from streams.topics import SUPPRESSION_TABLE

__all__ = ["suppression_table"]


def suppression_table(app: faust.App, partitions: int) -> Any:
    """Erased or child subjects by keyed hash (redactors.suppression.SuppressionList store);
    global so that every worker sees every entry whichever partition wrote it."""
    # No value_type: faust has no decoder for `dict` and would drop every entry it
    # replays from the changelog (recovery and standby), so erasures would not survive.
    # Values are the app's default, JSON.
    # recovery_buffer_size=1: Faust applies changelog records of a table's *active*
    # partitions in batches of this size (default 1000), also after recovery, so with two
    # workers an erasure written by one reached the other's ingest only 1000 records later.
    # (The consent view reads privacy.consent itself, one record at a time.)
    return app.GlobalTable(SUPPRESSION_TABLE, partitions=partitions, key_type=str,
                           use_partitioner=True, synchronize_all_active_partitions=True,
                           recovery_buffer_size=1)
