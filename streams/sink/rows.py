"""Analytics records as table rows: the columns, and the (day, service) partition of each.

Pure: no Kafka, no files. The columns are the fields analysts query; the whole record
stays in `record` (JSON), so a field without a column is not lost.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from redactors import codec

__all__ = ["COLUMNS", "SCHEMA", "UNKNOWN_SERVICE", "Row", "decode", "partition_of", "row_for"]

SCHEMA = pa.schema([
    ("ts", pa.string()),
    ("event", pa.string()),
    ("country", pa.string()),
    ("region", pa.string()),
    ("city", pa.string()),
    ("browser", pa.string()),
    ("os", pa.string()),
    ("device", pa.string()),
    ("url", pa.string()),
    ("user_id", pa.string()),
    ("session_id", pa.string()),
    ("message", pa.string()),
    ("privacy_tier", pa.string()),
    ("policy", pa.string()),
    ("gpc", pa.bool_()),
    ("marketing_opt_out", pa.bool_()),
    ("third_party_sharing", pa.bool_()),
    ("record", pa.string()),
    ("kafka_partition", pa.int32()),
    ("kafka_offset", pa.int64()),
    ("kafka_timestamp", pa.timestamp("ms", tz="UTC")),
])
COLUMNS = tuple(SCHEMA.names)
UNKNOWN_SERVICE = "_unknown"  # "_" first: no service name the policy emits looks like it
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Row = dict[str, Any]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _get(record: dict[str, Any], *path: str) -> Any:
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def partition_of(record: dict[str, Any], timestamp_ms: int) -> tuple[str, str]:
    """(day, service) as Hive path values: the day of the record's `ts` (else of the Kafka
    timestamp, UTC) and its `service`, percent-encoded so that it is one path segment."""
    ts = _text(record.get("ts"))
    if ts is not None and _DAY.match(ts):
        day = ts[:10]
    else:
        day = datetime.fromtimestamp(timestamp_ms / 1000, UTC).date().isoformat()
    service = _text(record.get("service"))
    return day, quote(service, safe="") if service and service not in {".", ".."} \
        else UNKNOWN_SERVICE


def row_for(record: dict[str, Any], partition: int, offset: int, timestamp_ms: int) -> Row:
    """The row of one analytics record (a decoded JSON object)."""
    privacy = record.get("_privacy")
    if not isinstance(privacy, dict):
        privacy = {}
    country = _text(_get(record, "geo", "country")) or _text(_get(record, "ip", "country"))
    return {
        "ts": _text(record.get("ts")),
        "event": _text(record.get("event")),
        "country": country,
        "region": _text(_get(record, "geo", "region")),
        "city": _text(_get(record, "geo", "city")),
        "browser": _text(_get(record, "user_agent", "browser")),
        "os": _text(_get(record, "user_agent", "os")),
        "device": _text(_get(record, "user_agent", "device")),
        "url": _text(record.get("url")),
        "user_id": _text(record.get("user_id")),
        "session_id": _text(record.get("session_id")),
        "message": _text(record.get("message")),
        "privacy_tier": _text(privacy.get("tier")),
        "policy": _text(privacy.get("policy")),
        "gpc": _flag(privacy.get("gpc")),
        "marketing_opt_out": _flag(privacy.get("marketing_opt_out")),
        "third_party_sharing": _flag(privacy.get("third_party_sharing")),
        "record": codec.dumps(record).decode(),
        "kafka_partition": partition,
        "kafka_offset": offset,
        "kafka_timestamp": timestamp_ms,
    }


def decode(value: bytes | None) -> dict[str, Any] | None:
    """The analytics object in a record value; None for a value that is not a JSON object."""
    if value is None:
        return None
    try:
        decoded = codec.loads(value)
    except codec.DecodeError:
        return None
    return decoded if isinstance(decoded, dict) else None
