"""Offset commits that never straddle an event's sends (exactly-once mode).

Faust commits from two background tasks (a timer, and every `broker_commit_every` acks
in the fetcher) while agents keep sending. Under transactions that is a duplicate
factory: sends made after the commit snapshotted its offsets still join the transaction
it commits, so after a crash their inputs are processed, and sent, again. Here the
agent handles each event under a lock and acks it before releasing; commits take the
same lock, so a transaction always holds exactly the outputs of the offsets it commits.
"""

from __future__ import annotations

import asyncio
from typing import Any

import faust

__all__ = ["NEVER", "CommitGate", "TransactionalSender"]

NEVER = 10**9  # for faust's own commit triggers, which the gate replaces


class CommitGate:
    """Serializes event handling and commits; `every` seconds between commits.

    The lock is taken inside the consumer's own `commit` (streams.transport), so the
    commits Faust makes by itself, on a rebalance or at shutdown, wait for the event in
    hand too.
    """

    def __init__(self, app: faust.App, every: float) -> None:
        self.lock = asyncio.Lock()
        self._app = app
        app.commit_gate = self  # type: ignore[attr-defined]  # read by the consumer

        async def commit_between_events() -> None:
            await self.commit()

        app.timer(every, name="logwarden.commit")(commit_between_events)

    async def commit(self) -> Any:
        return await self._app.consumer.commit()


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
