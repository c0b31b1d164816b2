"""Every topic logwarden reads or writes, named and configured in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CONSENT_TABLE",
    "KEYS_TABLE",
    "SUPPRESSION_TABLE",
    "Retention",
    "TopicNames",
    "TopicSpec",
    "topic_specs",
]

DAY_MS = 24 * 3600 * 1000

# Faust table names; their changelogs are "{app_id}-{table}-changelog".
KEYS_TABLE = "subject_keys"
SUPPRESSION_TABLE = "suppressed_subjects"
CONSENT_TABLE = "consent"  # a GlobalTable whose changelog *is* privacy.consent


@dataclass(frozen=True, kw_only=True)
class TopicNames:
    """Topic names derived from one prefix (and the app id for Faust changelogs)."""

    prefix: str = ""
    app_id: str = "logwarden"

    def _name(self, base: str) -> str:
        return f"{self.prefix}{base}"

    @property
    def raw(self) -> str:
        return self._name("logs.raw")

    @property
    def analytics(self) -> str:
        return self._name("logs.analytics")

    @property
    def identifiable(self) -> str:
        return self._name("logs.identifiable")

    @property
    def deadletter(self) -> str:
        return self._name("logs.deadletter")

    @property
    def consent(self) -> str:
        return self._name("privacy.consent")

    @property
    def requests(self) -> str:
        return self._name("privacy.requests")

    @property
    def receipts(self) -> str:
        return self._name("privacy.receipts")

    def changelog(self, table: str) -> str:
        return f"{self.app_id}-{table}-changelog"


@dataclass(frozen=True, kw_only=True)
class Retention:
    """Retention per route in milliseconds (the policy's figures when it names them)."""

    raw_ms: int = 1 * DAY_MS  # raw logs hold PII until processed: keep them briefly
    analytics_ms: int = 90 * DAY_MS
    identifiable_ms: int = 7 * DAY_MS
    deadletter_ms: int = 3 * DAY_MS  # holds original bytes: restricted and short
    requests_ms: int = 30 * DAY_MS
    receipts_ms: int = 3 * 365 * DAY_MS  # audit trail


@dataclass(frozen=True, kw_only=True)
class TopicSpec:
    """One topic as it must exist on the broker."""

    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)
    purpose: str = ""


def _deleting(ms: int) -> dict[str, str]:
    return {"cleanup.policy": "delete", "retention.ms": str(ms)}


def _compacted() -> dict[str, str]:
    # Tombstones and overwritten values are physically removed within about a day:
    # segments roll daily and the cleaner must compact them within a day.
    return {"cleanup.policy": "compact", "retention.ms": "-1", "segment.ms": str(DAY_MS),
            "max.compaction.lag.ms": str(DAY_MS), "delete.retention.ms": str(DAY_MS)}


def topic_specs(names: TopicNames, partitions: int,
                retention: Retention | None = None) -> list[TopicSpec]:
    """All topics, including Faust changelogs; every one has `partitions` partitions
    so that tables stay co-partitioned with logs.raw."""
    r = retention or Retention()
    spec = [
        (names.raw, _deleting(r.raw_ms), "raw application logs (input)"),
        (names.analytics, _deleting(r.analytics_ms), "de-identified events"),
        (names.identifiable, _deleting(r.identifiable_ms), "encrypted identifiable records"),
        (names.deadletter, _deleting(r.deadletter_ms), "bad input with reason (restricted)"),
        (names.consent, _compacted(), "consent state per subject (compacted)"),
        (names.requests, _deleting(r.requests_ms), "data-subject requests"),
        (names.receipts, _deleting(r.receipts_ms), "request receipts (audit trail)"),
        (names.changelog(KEYS_TABLE), _compacted(), "per-subject data keys (Faust table)"),
        (names.changelog(SUPPRESSION_TABLE), _compacted(), "erased subjects (Faust table)"),
    ]
    return [TopicSpec(name=n, partitions=partitions, config=c, purpose=p) for n, c, p in spec]
