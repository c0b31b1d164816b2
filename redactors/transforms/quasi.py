"""Quasi-identifier transforms: time zone to UTC offset, locale to language, screen to a
size class. Each value alone looks harmless; together with place, browser and hour they
single people out, so each is generalized, and what cannot be read is dropped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from redactors.transforms.base import DROP, Transform, TransformDeps

__all__ = ["LocaleLanguage", "ScreenClass", "TimeZoneOffset", "screen_class", "utc_offset"]

_OFFSET = re.compile(r"^(?:UTC|GMT|Z)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_IANA = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]{0,30}(?:/[A-Za-z0-9_+-]{1,30}){0,2}$")
_MAX_OFFSET_MINUTES = 14 * 60
_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:$|[-_.@])")
_SIZE = re.compile(r"^\s*(\d{2,5})\s*[x\u00d7*,]\s*(\d{2,5})\s*$", re.IGNORECASE)
# Size classes by the longer side in CSS pixels: phones, tablets and small laptops,
# desktops, large displays.
_CLASSES = ((1024, "small"), (1600, "medium"), (2560, "large"))
_RATIO_WORDS = ("ratio", "density", "dpr", "dpi", "scale")


def _format(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


@lru_cache(maxsize=1024)
def _zone_offset(name: str, day: str) -> str | None:
    """The zone's UTC offset at noon of `day` (daylight saving counts), or None."""
    if not _IANA.match(name) or name.startswith(("/", ".")):
        return None
    try:
        zone = ZoneInfo(name)
        when = datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=UTC)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    offset = when.astimezone(zone).utcoffset()
    return None if offset is None else _format(int(offset.total_seconds()) // 60)


def utc_offset(value: Any, key: str, day: str) -> str | None:
    """`Europe/Tallinn`, `+0200`, `UTC+2`, 7200 (seconds) or 120 (minutes) -> `+02:00`;
    None for anything that is not a time zone we can read."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = "sec" in key.lower() or abs(value) > _MAX_OFFSET_MINUTES
        minutes = int(value) // 60 if seconds else int(value)
        return _format(minutes) if abs(minutes) <= _MAX_OFFSET_MINUTES else None
    if not isinstance(value, str) or len(value) > 64:
        return None
    text = value.strip()
    if text.upper() in ("UTC", "GMT", "Z", "ETC/UTC"):
        return "+00:00"
    found = _OFFSET.match(text)
    if found is not None:
        sign, hours, rest = found.groups()
        minutes = int(hours) * 60 + int(rest or 0)
        if minutes > _MAX_OFFSET_MINUTES:
            return None
        return _format(-minutes if sign == "-" else minutes)
    return _zone_offset(text, day)


class TimeZoneOffset(Transform):
    """A time zone as its UTC offset on the event's day (`Europe/Tallinn` -> `+02:00`)."""

    label = "tz_offset"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        found = utc_offset(value, key, day)
        return DROP if found is None else found

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> TimeZoneOffset:
        if settings:
            raise ValueError(f"time_zone takes no settings, got {sorted(settings)}")
        return cls()


class LocaleLanguage(Transform):
    """A locale as its language subtag only (`et-EE`, `et_EE.UTF-8` -> `et`)."""

    label = "language"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        if not isinstance(value, str):
            return DROP
        found = _LANGUAGE.match(value.strip())
        return DROP if found is None else found.group(1).lower()

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> LocaleLanguage:
        if settings:
            raise ValueError(f"locale takes no settings, got {sorted(settings)}")
        return cls()


def screen_class(width: float, height: float = 0.0) -> str:
    """small, medium, large or xlarge by the longer side."""
    longer = max(width, height)
    for limit, name in _CLASSES:
        if longer < limit:
            return name
    return "xlarge"


def _ratio_class(value: float) -> str:
    return "1x" if value < 1.5 else "2x" if value < 2.5 else "3x"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0 < number < 100_000 else None


class ScreenClass(Transform):
    """A screen, window or viewport size as a size class, a pixel ratio as 1x/2x/3x."""

    label = "screen_class"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        name = key.lower()
        if isinstance(value, dict):
            sides = [_number(value.get(side)) for side in ("width", "height", "w", "h")]
            known = [side for side in sides if side is not None]
            return screen_class(*known[:2]) if known else DROP
        if isinstance(value, str):
            found = _SIZE.match(value)
            if found is not None:
                return screen_class(float(found.group(1)), float(found.group(2)))
        number = _number(value)
        if number is None:
            return DROP
        if any(word in name for word in _RATIO_WORDS):
            return _ratio_class(number)
        return screen_class(number)

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> ScreenClass:
        if settings:
            raise ValueError(f"screen takes no settings, got {sorted(settings)}")
        return cls()
