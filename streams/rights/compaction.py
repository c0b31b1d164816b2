"""Roll markers: make quiet compacted partitions roll, so erased values are cleaned in time."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import faust

from redactors import codec
from streams.rights.writer import RightsWriter
from streams.topics import KEYS_TABLE, SUPPRESSION_TABLE, Retention

if TYPE_CHECKING:  # streams.app builds the pipeline, then registers rights on it
    from streams.app import Pipeline

__all__ = ["ROLL_MARKER", "register_roll_marker"]

log = logging.getLogger(__name__)

# A tombstone for a key that never holds a value: appending it lets the broker roll the
# active segment (it only rolls on an append), and every reader treats it as a no-op
# delete. Without it, a tombstone written to a partition that then falls silent would
# stay in the active segment, which the log cleaner never touches.
ROLL_MARKER = b"__logwarden_roll__"


def register_roll_marker(pipeline: Pipeline, retention: Retention, writer: RightsWriter) -> None:
    """On the leader, every half roll period, append a roll marker to every partition of
    privacy.consent and of the keys and suppression changelogs."""
    app: faust.App = pipeline.app
    names = pipeline.names
    # Each key in its topic's own form: raw bytes for consent and keys, JSON for the
    # suppression table, whose changelog keys are JSON strings.
    targets = ((names.consent, ROLL_MARKER), (names.changelog(KEYS_TABLE), ROLL_MARKER),
               (names.changelog(SUPPRESSION_TABLE), codec.dumps(ROLL_MARKER.decode())))
    partitions: int = pipeline.settings.partitions

    @app.timer(retention.compaction_roll_ms / 2000, on_leader=True)  # type: ignore[untyped-decorator]
    async def roll_compacted_segments() -> None:
        for topic, key in targets:
            for partition in range(partitions):
                try:
                    await writer.send(topic, key, None, partition)
                except Exception as exc:  # a missed marker only delays cleaning
                    log.warning("roll marker not sent: %s", type(exc).__name__)
