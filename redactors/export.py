"""Access requests: one portable JSON document of everything held about a subject."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["EXPORT_FORMAT", "Decrypt", "HeldRecord", "KeyFor", "build_export"]

EXPORT_FORMAT = "logwarden.export/1"

Decrypt = Callable[[dict[str, Any], bytes], dict[str, Any]]
KeyFor = Callable[[dict[str, Any]], bytes | None]


@dataclass(frozen=True, kw_only=True, slots=True)
class HeldRecord:
    """One record read back from a topic, with where it was found."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    value: dict[str, Any] | None  # None: a tombstone

    def where(self) -> dict[str, Any]:
        stamp = datetime.fromtimestamp(self.timestamp_ms / 1000, tz=UTC)
        return {"topic": self.topic, "partition": self.partition, "offset": self.offset,
                "timestamp": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")}


def _decrypted(records: Iterable[HeldRecord], key_for: KeyFor,
               decrypt: Decrypt) -> tuple[list[dict[str, Any]], int]:
    out, unreadable = [], 0
    for record in records:
        if record.value is None:
            continue
        key = key_for(record.value)
        if key is None:
            unreadable += 1
            continue
        try:
            out.append({**record.where(), "record": decrypt(record.value, key)})
        except Exception:  # one bad record must not void the whole access request
            unreadable += 1
    return out, unreadable


def build_export(*, subject_id: str, generated_at: str, key_for: KeyFor, decrypt: Decrypt,
                 identifiable: Iterable[HeldRecord], consent: Iterable[HeldRecord],
                 requests: Iterable[HeldRecord], receipts: Iterable[HeldRecord],
                 sources: dict[str, Any]) -> dict[str, Any]:
    """Assemble the export; each identifiable record is decrypted with the subject's key
    that `key_for` finds for it.

    Records that cannot be decrypted (no key: never created, or shredded by an erasure)
    are counted, not included: they are beyond use.
    """
    records, unreadable = _decrypted(identifiable, key_for, decrypt)
    return {
        "format": EXPORT_FORMAT,
        "subject_id": subject_id,
        "generated_at": generated_at,
        "identifiable_records": records,
        "undecryptable_records": unreadable,
        "consent_history": [{**r.where(), "consent": r.value, "deleted": r.value is None}
                            for r in consent],
        "requests": [{**r.where(), "request": r.value} for r in requests if r.value],
        "receipts": [{**r.where(), "receipt": r.value} for r in receipts if r.value],
        "sources": sources,
        "not_included": (
            "Analytics topics hold de-identified or pseudonymised records (no name, email or "
            "raw IP; ids replaced by keyed pseudonyms). They are not indexed by subject and "
            "are not part of this export."
        ),
    }
