"""Roll markers: make quiet compacted partitions roll, so erased values are cleaned in time."""

from __future__ import annotations

import logging
from typing import Any

import faust

from streams.topics import Retention

__all__ = ["ROLL_MARKER", "register_roll_marker"]

log = logging.getLogger(__name__)

# A tombstone for a key that never holds a value: appending it lets the broker roll the
# active segment (it only rolls on an append), and every reader treats it as a no-op
# delete. Without it, a tombstone written to a partition that then falls silent would
# stay in the active segment, which the log cleaner never touches.
ROLL_MARKER = b"__logwarden_roll__"


def register_roll_marker(pipeline: Any, retention: Retention) -> None:
    """On the leader, every half roll period, append a roll marker to every partition of
    privacy.consent and of the keys and suppression changelogs."""
    app: faust.App = pipeline.app
    # Each key in its topic's own form: bytes for consent and keys, str (JSON) for the
    # suppression table, whose changelog keys are JSON strings.
    topics = ((pipeline.topics["consent"], ROLL_MARKER),
              (pipeline.keys.changelog_topic, ROLL_MARKER),
              (pipeline.suppressed.changelog_topic, ROLL_MARKER.decode()))
    partitions: int = pipeline.settings.partitions

    @app.timer(retention.compaction_roll_ms / 2000, on_leader=True)  # type: ignore[untyped-decorator]
    async def roll_compacted_segments() -> None:
        for topic, key in topics:
            for partition in range(partitions):
                try:
                    await topic.send(key=key, value=None, partition=partition,
                                     value_serializer="raw")
                except Exception as exc:  # a missed marker only delays cleaning
                    log.warning("roll marker not sent: %s", type(exc).__name__)
