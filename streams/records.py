"""Turn the engine's verdict on one raw record into the Kafka records to send."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from redactors import codec
from redactors.result import Outcome, RoutedResult

__all__ = ["Route", "SourceRef", "TopicRecord", "records_for"]


class Route(StrEnum):
    ANALYTICS = "analytics"
    IDENTIFIABLE = "identifiable"
    DEADLETTER = "deadletter"
    CONTRIBUTION = "contribution"  # to the aggregator (streams.dataplane.contributions)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a raw record came from: carried in a header by every output, for audits
    and for accounting (each input yields records in exactly one outcome)."""

    topic: str
    partition: int
    offset: int

    def header(self) -> bytes:
        return f"{self.partition}:{self.offset}".encode()


@dataclass(frozen=True, slots=True)
class TopicRecord:
    route: Route
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]


def records_for(result: RoutedResult, raw: bytes, source: SourceRef) -> list[TopicRecord]:
    """Analytics and identifiable records for a routed event; for a dead-letter the
    original bytes with the reason in a header; nothing for a dropped event."""
    base = [("lw-src", source.header()), ("lw-outcome", str(result.outcome).encode())]
    outcome = result.outcome
    if outcome is Outcome.DROPPED:
        return []
    if outcome is Outcome.DEADLETTER:
        reason = (result.reason or "unknown").encode()
        return [TopicRecord(Route.DEADLETTER, None, raw, [*base, ("lw-reason", reason)])]
    out: list[TopicRecord] = []
    if outcome is Outcome.ANALYTICS:
        if result.analytics is None:
            raise ValueError("analytics outcome without an analytics record")
        out.append(TopicRecord(Route.ANALYTICS, None, codec.dumps(result.analytics), base))
    if result.identifiable is not None:
        subject = result.subject_id.encode() if result.subject_id is not None else None
        headers = [*base, ("lw-key-partition", str(source.partition).encode())]
        out.append(TopicRecord(Route.IDENTIFIABLE, subject, codec.dumps(result.identifiable),
                               headers))
    if not out:
        raise ValueError("identifiable_only outcome without an identifiable record")
    return out
