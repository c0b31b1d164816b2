"""Consent packed into 11 bytes: flags, birth year and updated_at in milliseconds; a
suppression entry into 9 bytes and its request id.

The subject id is not in the value: the store's key is the subject's keyed hash
(streams.state.store.subject_key), and a decoded state takes its id from the lookup.
`updated_at` keeps millisecond precision in UTC (an event's other offsets and finer
digits are normalised away, as `logwarden consent set` writes them anyway).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from redactors.consent import ConsentState

__all__ = ["PACKED_SIZE", "pack_consent", "pack_suppression", "unpack_consent",
           "unpack_suppression"]

_FORMAT = struct.Struct("<BHq")  # flags, birth year (0: none), updated_at ms (if flagged)
PACKED_SIZE = _FORMAT.size
_ANALYTICS, _PROFILING, _MARKETING, _GPC, _BIRTH_YEAR, _UPDATED = (1 << i for i in range(6))


def _millis(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _rfc3339(millis: int) -> str:
    seconds, ms = divmod(millis, 1000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{ms:03d}Z"


def pack_consent(state: ConsentState) -> bytes:
    """The stored value of a valid consent state (decode_consent checked its fields)."""
    flags = ((_ANALYTICS if state.analytics else 0) | (_PROFILING if state.profiling else 0)
             | (_MARKETING if state.marketing else 0) | (_GPC if state.gpc else 0))
    year = state.birth_year
    if year is not None and 0 < year < 1 << 16:
        flags |= _BIRTH_YEAR
    millis = 0
    if state.updated_at is not None:
        flags |= _UPDATED
        millis = _millis(state.updated_at)
    return _FORMAT.pack(flags, year if flags & _BIRTH_YEAR else 0, millis)


def unpack_consent(subject_id: str, value: bytes) -> ConsentState:
    """The state stored as `value`; ValueError when it is not a packed consent."""
    try:
        flags, year, millis = _FORMAT.unpack(value)
    except struct.error:
        raise ValueError("not a packed consent value") from None
    return ConsentState(subject_id=subject_id, analytics=bool(flags & _ANALYTICS),
                        profiling=bool(flags & _PROFILING), marketing=bool(flags & _MARKETING),
                        gpc=bool(flags & _GPC),
                        birth_year=year if flags & _BIRTH_YEAR else None,
                        updated_at=_rfc3339(millis) if flags & _UPDATED else None)


_ENTRY = struct.Struct("<Bq")  # reason, since in ms (-1: unknown), then the request id
_REASONS = ("erased", "child")


def pack_suppression(entry: Mapping[str, Any]) -> bytes:
    """A suppression entry's stored value (SuppressionEntry.to_dict's fields). An entry
    that does not read as one is kept as "erased" since an unknown time: the subject's
    hash is on the list, and that is what suppresses it."""
    reason = entry.get("reason")
    try:
        millis = _millis(str(entry["since"]))
    except (KeyError, ValueError, OverflowError):
        millis = -1
    request_id = entry.get("request_id")
    return (_ENTRY.pack(_REASONS.index(reason) if reason in _REASONS else 0, millis)
            + (request_id.encode("utf-8") if isinstance(request_id, str) else b""))


def unpack_suppression(value: bytes) -> dict[str, str]:
    """The entry stored as `value`; ValueError when it is not a packed entry."""
    try:
        reason, millis = _ENTRY.unpack_from(value)
        return {"reason": _REASONS[reason], "since": _rfc3339(millis) if millis >= 0 else "",
                "request_id": value[_ENTRY.size:].decode("utf-8")}
    except (struct.error, IndexError, UnicodeDecodeError):
        raise ValueError("not a packed suppression entry") from None
