"""The pipeline's observation points: what the ingest agent reports, and to whom.

Observability (metrics, status page) implements `PipelineHooks` and passes it to
`create_pipeline`; the agent calls it on the hot path, so implementations must be cheap
and must never raise. Arguments carry fixed codes and counts, never event values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from streams.dataplane.tally import BatchTally

__all__ = ["CompositeHooks", "NullHooks", "PipelineHooks"]


class PipelineHooks(Protocol):
    """Callbacks the pipeline invokes; every argument is PII-free by construction."""

    def on_event_in(self, topic: str, partition: int) -> None:
        """One raw event was taken from `topic`/`partition`."""

    def on_routed(self, outcome: str, categories: Sequence[str], seconds: float,
                  event_timestamp: float | None) -> None:
        """One event left the engine with `outcome` (analytics, identifiable_only,
        deadletter, dropped); `categories` are policy category keys found in it,
        `seconds` the processing time, `event_timestamp` the broker timestamp of the raw
        record (epoch seconds) for end-to-end latency."""

    def on_deadletter(self, reason: str) -> None:
        """One event went to the dead-letter topic with a fixed reason code."""

    def on_batch(self, tally: BatchTally) -> None:
        """The data plane routed a batch of one raw partition (counts and codes only)."""

    def on_assigned(self, partitions: int) -> None:
        """The data plane's consumer was assigned `partitions` raw partitions."""

    def on_consent_rejected(self, reason: str) -> None:
        """An invalid consent event was read from privacy.consent and ignored."""

    def on_key_created(self) -> None:
        """A per-subject data key was created."""

    def on_rights_request(self, kind: str, status: str, seconds: float) -> None:
        """A data-subject request finished: `kind` erase/access/correct (or "invalid"),
        `status` the receipt's status, `seconds` the time from read to receipt sent."""


class NullHooks:
    """Does nothing; the default."""

    def on_event_in(self, topic: str, partition: int) -> None:
        pass

    def on_routed(self, outcome: str, categories: Sequence[str], seconds: float,
                  event_timestamp: float | None) -> None:
        pass

    def on_deadletter(self, reason: str) -> None:
        pass

    def on_batch(self, tally: BatchTally) -> None:
        pass

    def on_assigned(self, partitions: int) -> None:
        pass

    def on_consent_rejected(self, reason: str) -> None:
        pass

    def on_key_created(self) -> None:
        pass

    def on_rights_request(self, kind: str, status: str, seconds: float) -> None:
        pass


class CompositeHooks:
    """Fans each call out to several hooks, in order."""

    def __init__(self, hooks: Iterable[PipelineHooks]) -> None:
        self._hooks = tuple(hooks)

    def on_event_in(self, topic: str, partition: int) -> None:
        for hook in self._hooks:
            hook.on_event_in(topic, partition)

    def on_routed(self, outcome: str, categories: Sequence[str], seconds: float,
                  event_timestamp: float | None) -> None:
        for hook in self._hooks:
            hook.on_routed(outcome, categories, seconds, event_timestamp)

    def on_deadletter(self, reason: str) -> None:
        for hook in self._hooks:
            hook.on_deadletter(reason)

    def on_batch(self, tally: BatchTally) -> None:
        for hook in self._hooks:
            hook.on_batch(tally)

    def on_assigned(self, partitions: int) -> None:
        for hook in self._hooks:
            hook.on_assigned(partitions)

    def on_consent_rejected(self, reason: str) -> None:
        for hook in self._hooks:
            hook.on_consent_rejected(reason)

    def on_key_created(self) -> None:
        for hook in self._hooks:
            hook.on_key_created()

    def on_rights_request(self, kind: str, status: str, seconds: float) -> None:
        for hook in self._hooks:
            hook.on_rights_request(kind, status, seconds)
