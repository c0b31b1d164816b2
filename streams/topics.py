"""Every topic logwarden reads or writes, named and configured in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "AGGREGATE_CONTRIBUTIONS",
    "AGGREGATE_STATE",
    "CONSENT_TABLE",
    "KEYS_TABLE",
    "SUPPRESSION_TABLE",
    "Retention",
    "TopicNames",
    "TopicSpec",
    "erasure_bound_ms",
    "topic_specs",
]

HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS
CLEANER_SLACK_MS = HOUR_MS  # log cleaner backoff (15 s) and queueing behind other logs

# State names; their changelogs are "{app_id}-{table}-changelog" (the names Faust tables gave
# them first: the topics keep them).
KEYS_TABLE = "subject_keys"
SUPPRESSION_TABLE = "suppressed_subjects"
AGGREGATE_CONTRIBUTIONS = "aggregate_contributions"  # streams.dataplane.aggregation
AGGREGATE_STATE = "aggregate_state"
CONSENT_TABLE = "consent"  # the consent view (streams/consent_view.py) reads privacy.consent whole


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
    def aggregates(self) -> str:
        return self._name("analytics.aggregates")

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
    """Retention per route in milliseconds. The routes' figures come from the policy
    (`routes.*.retention_days`, `from_policy`); the defaults are the shipped policy's."""

    raw_ms: int = 1 * DAY_MS  # raw logs hold PII until processed: keep them briefly
    analytics_ms: int = 395 * DAY_MS
    identifiable_ms: int = 7 * DAY_MS
    deadletter_ms: int = 7 * DAY_MS  # holds original bytes: restricted and short
    requests_ms: int = 30 * DAY_MS
    receipts_ms: int = 3 * 365 * DAY_MS  # audit trail
    # Compacted topics (consent, keys, suppression): see erasure_bound_ms.
    compaction_roll_ms: int = HOUR_MS  # segment.ms and max.compaction.lag.ms
    tombstone_ms: int = DAY_MS  # delete.retention.ms: how long consumers see a delete
    # Aggregate contributions hold per-user keys: a day's window plus grace and slack.
    contributions_ms: int = DAY_MS + 2 * HOUR_MS

    @classmethod
    def from_policy(cls, retention_days: Mapping[str, int]) -> Retention:
        """The policy's `retention_days` per route (analytics, identifiable, deadletter);
        a route the policy leaves out keeps its default."""
        fields = {"analytics": "analytics_ms", "identifiable": "identifiable_ms",
                  "deadletter": "deadletter_ms"}
        return cls(**{fields[route]: days * DAY_MS
                      for route, days in retention_days.items() if route in fields})


@dataclass(frozen=True, kw_only=True)
class TopicSpec:
    """One topic as it must exist on the broker."""

    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)
    purpose: str = ""


def _deleting(ms: int) -> dict[str, str]:
    # Whole segments expire, so a record lives up to retention + segment.ms: keep segments
    # short (a quarter of the retention, between an hour and a day).
    segment = min(DAY_MS, max(HOUR_MS, ms // 4))
    return {"cleanup.policy": "delete", "retention.ms": str(ms), "segment.ms": str(segment)}


def _compacted(r: Retention) -> dict[str, str]:
    # A tombstoned value is only cleaned once its segment has rolled: segments roll after
    # compaction_roll_ms (the worker appends a roll marker so quiet partitions roll too),
    # max.compaction.lag.ms forces cleaning within the same time whatever the dirty ratio,
    # and the tombstone itself goes delete.retention.ms later. See erasure_bound_ms.
    return {"cleanup.policy": "compact", "retention.ms": "-1",
            "segment.ms": str(r.compaction_roll_ms),
            "max.compaction.lag.ms": str(r.compaction_roll_ms),
            "min.compaction.lag.ms": "0", "min.cleanable.dirty.ratio": "0.01",
            "delete.retention.ms": str(r.tombstone_ms)}


def erasure_bound_ms(r: Retention) -> tuple[int, int]:
    """(value gone, tombstone gone) after a delete on a compacted topic, in milliseconds.

    The value: the segment rolls within 1.5 rolls (a roll marker every half roll), then
    the cleaner runs; the tombstone (which still carries the key, a raw subject id on
    privacy.consent and the keys changelog) lasts delete.retention.ms longer.
    """
    value = r.compaction_roll_ms + r.compaction_roll_ms // 2 + CLEANER_SLACK_MS
    return value, value + r.tombstone_ms + CLEANER_SLACK_MS


def topic_specs(names: TopicNames, partitions: int,
                retention: Retention | None = None) -> list[TopicSpec]:
    """All topics, including Faust changelogs; every one has `partitions` partitions
    so that tables stay co-partitioned with logs.raw. Without `retention`, the routes keep
    the shipped policy's retention."""
    r = retention or Retention()
    spec = [
        (names.raw, _deleting(r.raw_ms), "raw application logs (input)"),
        (names.analytics, _deleting(r.analytics_ms), "de-identified events"),
        (names.identifiable, _deleting(r.identifiable_ms), "encrypted identifiable records"),
        (names.deadletter, _deleting(r.deadletter_ms), "bad input with reason (restricted)"),
        (names.consent, _compacted(r), "consent state per subject (compacted)"),
        (names.requests, _deleting(r.requests_ms), "data-subject requests"),
        (names.receipts, _deleting(r.receipts_ms), "request receipts (audit trail)"),
        (names.changelog(KEYS_TABLE), _compacted(r), "per-subject data keys (keys store)"),
        (names.changelog(SUPPRESSION_TABLE), _compacted(r), "erased subjects (suppression list)"),
        (names.aggregates, _deleting(r.analytics_ms), "DP aggregate releases"),
        (names.changelog(AGGREGATE_CONTRIBUTIONS), _deleting(r.contributions_ms),
         "per-user aggregate contributions (restricted)"),
        (names.changelog(AGGREGATE_STATE), _compacted(r), "aggregate release marks"),
    ]
    return [TopicSpec(name=n, partitions=partitions, config=c, purpose=p) for n, c, p in spec]
