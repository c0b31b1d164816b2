"""The pipeline's Faust tables: consent (global), per-subject keys, suppressed subjects."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import faust
from faust.tables import GlobalTable
from faust.types import EventT

from redactors.consent import ConsentState
from schemas.consent import ConsentEventError, decode_consent
from streams.delivery import TransactionalSender
from streams.hooks import PipelineHooks
from streams.topics import CONSENT_TABLE, KEYS_TABLE, SUPPRESSION_TABLE

__all__ = ["ConsentView", "TableKeyProvider", "keys_table", "suppression_table"]


class _TopicBackedGlobalTable(GlobalTable):
    """A GlobalTable whose changelog is a topic of our own choosing: Faust's assignor
    asks `_changelog_topic_name()`, which otherwise ignores `changelog_topic`."""

    def _changelog_topic_name(self) -> str:
        return str(self.changelog_topic.get_topic_name())


class ConsentView:
    """Latest valid consent per subject, fed by privacy.consent through a GlobalTable.

    privacy.consent is itself the table's changelog, so every worker replays it at
    start-up and then tails it; each record is validated as it is consumed, so a
    change applies to every event processed after that. Invalid records are counted
    and ignored (the previous valid state stays); a tombstone removes the subject.
    """

    def __init__(self, app: faust.App, topic: faust.TopicT, partitions: int,
                 hooks: PipelineHooks) -> None:
        self._states: dict[str, ConsentState] = {}
        self._hooks = hooks
        self.on_state: Callable[[ConsentState], None] | None = None  # rights: child check
        self.rejected = 0
        self.table = app.tables.add(_TopicBackedGlobalTable(
            app, name=CONSENT_TABLE, partitions=partitions, changelog_topic=topic,
            key_type=bytes, value_type=bytes, beacon=app.tables.beacon,
            standby_buffer_size=1, is_global=True, synchronize_all_active_partitions=True,
            on_changelog_event=self._on_record))

    async def _on_record(self, event: EventT[Any]) -> None:
        key, value = event.message.key, event.message.value
        if value is None:
            if key is not None:
                self._states.pop(key.decode("utf-8", "replace"), None)
            return
        try:
            state = decode_consent(key, value)
        except ConsentEventError as exc:
            self.rejected += 1
            self._hooks.on_consent_rejected(exc.reason)
            return
        self._states[state.subject_id] = state
        if self.on_state is not None:
            self.on_state(state)

    def get(self, subject_id: str) -> ConsentState | None:
        return self._states.get(subject_id)

    def __len__(self) -> int:
        return len(self._states)


def keys_table(app: faust.App, partitions: int) -> Any:
    """Per-subject data keys; key `{partition}/{subject}` (see TableKeyProvider)."""
    return app.Table(KEYS_TABLE, partitions=partitions, key_type=bytes, value_type=bytes)


def suppression_table(app: faust.App, partitions: int) -> Any:
    """Erased or child subjects by keyed hash (redactors.suppression.SuppressionList store);
    global so that every worker sees every entry whichever partition wrote it."""
    # No value_type: faust has no decoder for `dict` and would drop every entry it
    # replays from the changelog (recovery and standby), so erasures would not survive.
    # Values are the app's default, JSON.
    # recovery_buffer_size=1: Faust applies changelog records of a table's *active*
    # partitions in batches of this size (default 1000), also after recovery, so with two
    # workers an erasure written by one reached the other's ingest only 1000 records later.
    # (The consent view sidesteps this with on_changelog_event.)
    return app.GlobalTable(SUPPRESSION_TABLE, partitions=partitions, key_type=str,
                           use_partitioner=True, synchronize_all_active_partitions=True,
                           recovery_buffer_size=1)


class TableKeyProvider:
    """KeyProvider over the keys table for the raw partition being processed.

    Raw events arrive unkeyed, so a subject's events may land on any partition, and under
    exactly-once a partition may only write inside its own transaction. Each partition
    therefore holds its own key per subject (`{partition}/{subject}`), created on first
    use there; erasure deletes the key in every partition. New keys are written to the
    changelog by `flush()`, which the agent awaits before it sends the outputs they
    encrypt, so no output outlives the key it needs.
    """

    def __init__(self, table: Any, hooks: PipelineHooks) -> None:
        self._table = table
        self._hooks = hooks
        self._pending: list[tuple[bytes, bytes | None]] = []
        self.partition = 0

    def _key(self, subject_id: str, partition: int | None = None) -> bytes:
        p = self.partition if partition is None else partition
        return f"{p}/{subject_id}".encode()

    def get(self, subject_id: str) -> bytes | None:
        value = self._table.data.get(self._key(subject_id))
        return bytes(value) if value else None

    def get_or_create(self, subject_id: str) -> bytes:
        key = self.get(subject_id)
        if key is None:
            key = os.urandom(32)
            self._table.data[self._key(subject_id)] = key
            self._pending.append((self._key(subject_id), key))
            self._hooks.on_key_created()
        return key

    def delete(self, subject_id: str) -> None:
        if self._table.data.pop(self._key(subject_id), None) is not None:
            self._pending.append((self._key(subject_id), None))

    async def flush(self, sender: TransactionalSender) -> None:
        """Write pending key changes to the changelog partition of the current input."""
        pending, self._pending = self._pending, []
        topic = self._table.changelog_topic.get_topic_name()
        for key, value in pending:
            await sender.send(topic, key=key, value=value, partition=self.partition)
