"""Offset commits that never straddle an event's sends (exactly-once mode).

Faust commits from two background tasks (a timer, and every `broker_commit_every` acks
in the fetcher) while agents keep sending. Under transactions that is a duplicate
factory: sends made after the commit snapshotted its offsets still join the transaction
it commits, so after a crash their inputs are processed, and sent, again. Here the
agent handles each event under a lock and acks it before releasing; commits take the
same lock, so a transaction always holds exactly the outputs of the offsets it commits.

Faust can also hand the agent a record twice without any rebalance: records fetched
while partitions recover are not all discarded when the stream partitions are sought
back to their committed offsets, so a record fetched before that seek (seen: the last
record of each raw partition) reaches the agent again seconds later, after its copy
fetched from the seek. Both copies' outputs then commit, one input twice. The gate
therefore remembers which offsets the agent handled under the current transactional
producers (one consumer generation) and lets a second copy through only as an ack.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust
from faust.types import TP, Message

__all__ = ["NEVER", "CommitGate", "TransactionalSender"]

NEVER = 10**9  # for faust's own commit triggers, which the gate replaces
_PRUNE_AT = 4096  # handled offsets kept per partition before those committed are dropped

log = logging.getLogger(__name__)


class CommitGate:
    """Serializes event handling and commits; `every` seconds between commits.

    The lock is taken inside the consumer's own `commit` (streams.transport), so the
    commits Faust makes by itself, on a rebalance or at shutdown, wait for the event in
    hand too.
    """

    def __init__(self, app: faust.App, every: float) -> None:
        self.lock = asyncio.Lock()
        self._app = app
        self._generation: int | None = None
        self._handled: dict[TP, set[int]] = {}
        self.redeliveries = 0
        app.commit_gate = self  # type: ignore[attr-defined]  # read by the consumer

        async def commit_between_events() -> None:
            await self.commit()

        app.timer(every, name="logwarden.commit")(commit_between_events)

    async def commit(self) -> Any:
        return await self._app.consumer.commit()

    def _committed(self, tp: TP) -> int | None:
        # Faust's own view: the group's offset after a seek, then each commit of ours.
        consumer: Any = self._app.consumer
        committed: int | None = consumer._committed_offset.get(tp)
        return committed

    def _handled_now(self) -> dict[TP, set[int]]:
        generation = self._app.consumer_generation_id
        if generation != self._generation:
            self._generation = generation
            self._handled = {}
        return self._handled

    def redelivered(self, message: Message) -> bool:
        """True when the record's outputs were already sent by this worker's current
        transactional producers (or committed by anyone): call under `lock`, then ack
        the event without handling it.

        The memory is per consumer generation: a rebalance replaces the producers, which
        aborts their open transactions, and the consumer seeks back to the committed
        offsets, so every record after those must be handled again.
        """
        committed = self._committed(message.tp)
        if (committed is not None and message.offset < committed) or (
                message.offset in self._handled_now().get(message.tp, ())):
            self.redeliveries += 1
            log.info("skipped a redelivered record (%s total)", self.redeliveries)
            return True
        return False

    def handled(self, message: Message) -> None:
        """Remember that the record's outputs were sent (call under `lock`)."""
        offsets = self._handled_now().setdefault(message.tp, set())
        offsets.add(message.offset)
        if len(offsets) > _PRUNE_AT:
            committed = self._committed(message.tp)
            if committed is not None:
                offsets.difference_update([o for o in offsets if o < committed])


class TransactionalSender:
    """Sends straight to Faust's producer, inside the input partition's transaction.

    Faust's own topic.send picks the transactional producer from the consumer's metadata
    of the *destination* topic; output topics are not subscribed, so that metadata is
    missing and the record silently goes out through the plain producer, outside any
    transaction (faust-streaming #177): exactly-once in name only. The transactional id
    is `{app_id}-{group}-{partition}` of the input; without exactly-once it is None and
    the record goes through the plain producer, flushed before every offset commit.
    """

    def __init__(self, app: faust.App, source_topic: str, *, transactional: bool) -> None:
        self._app = app
        self._source_topic = source_topic
        self._transactional = transactional

    async def send(self, topic: str, *, key: bytes | None, value: bytes | None,
                   partition: int, headers: list[tuple[str, bytes]] | None = None) -> None:
        tid = None
        if self._transactional:
            group = self._app.assignor.group_for_topic(self._source_topic)
            tid = f"{self._app.conf.id}-{group}-{partition}"
        await self._app.producer.send(topic, key, value, partition, None, headers,
                                      transactional_id=tid)
