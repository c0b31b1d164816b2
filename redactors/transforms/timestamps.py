"""Timestamps: parse the forms logs use, and coarsen them to the hour or the day."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from redactors.errors import TransformError
from redactors.transforms.base import DROP, Transform, TransformDeps

__all__ = ["CoarsenTimestamp", "parse_timestamp"]

_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
# nginx/apache: 10/Oct/2000:13:55:36 -0700
_MINUTE_SECOND = frozenset(f":{m:02d}:{s:02d}Z" for m in range(100) for s in range(100))
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z")
# syslog (RFC 3164) has no year: coarsened in place, never turned into a date.
_BSD = re.compile(r"([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):\d{2}:\d{2}")
_CLF = re.compile(
    r"(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?")


def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO 8601, common log format or epoch (s or ms); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip().strip("[]")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        match = _CLF.fullmatch(text)
        if match is None or match.group(2) not in _MONTHS:
            return None
        day, mon, year, hh, mm, ss, sign, oh, om = match.groups()
        offset = timedelta(hours=int(oh or 0), minutes=int(om or 0))
        try:
            parsed = datetime(int(year), _MONTHS[mon], int(day), int(hh), int(mm), int(ss),
                              tzinfo=timezone(-offset if sign == "-" else offset))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # logs without an offset are taken as UTC
    return parsed.astimezone(UTC)


class CoarsenTimestamp(Transform):
    """`2026-11-25T10:00:00Z` (hour) or `2026-11-25` (day), in UTC."""

    def __init__(self, *, precision: str = "hour") -> None:
        if precision not in ("hour", "day"):
            raise ValueError("timestamp precision must be 'hour' or 'day'")
        self._hour = precision == "hour"
        self._by_hour: dict[str, str] = {}  # `YYYY-MM-DDTHH` -> its coarsened form
        self.label = f"time_{precision}"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        # Fastest path, 2026-11-25T10:00:01Z: the coarsened form looked up by the hour.
        if type(value) is str and len(value) == 20 and value[13:] in _MINUTE_SECOND:
            found = self._by_hour.get(value[:13])
            if found is not None:
                return found
            if _ISO_UTC.fullmatch(value):
                if len(self._by_hour) >= 4096:  # attacker-controlled: bound it
                    self._by_hour.clear()
                found = self._by_hour[value[:13]] = (value[:13] + ":00:00Z" if self._hour
                                                     else value[:10])
                return found
        # Fast path for the commonest forms, 2026-11-25T10:00:01Z / ...01.123Z.
        if type(value) is str and _ISO_UTC.fullmatch(value):
            return value[:13] + ":00:00Z" if self._hour else value[:10]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TransformError("wrong_type")
        parsed = parse_timestamp(value)
        if parsed is None:
            bsd = _BSD.fullmatch(value.strip()) if isinstance(value, str) else None
            if bsd is not None and bsd.group(1) in _MONTHS:
                month, day_of_month, hour = bsd.groups()
                return f"{month} {int(day_of_month):2d}" + (f" {hour}:00:00" if self._hour
                                                             else "")
            return DROP  # not a time we can coarsen: it must not pass as it is
        return parsed.strftime("%Y-%m-%dT%H:00:00Z" if self._hour else "%Y-%m-%d")

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> CoarsenTimestamp:
        return cls(**dict(settings))
