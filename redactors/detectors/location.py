"""Location detectors: latitude/longitude pairs and named coordinates."""

from __future__ import annotations

from redactors.detectors.base import Detector
from redactors.detectors.checks import context_words

__all__ = ["LOCATION_DETECTORS"]

_GEO_WORDS = context_words(
    "lat", "lon", "lng", "geo", "gps", "coord", "location", "position", "loc", "near", "at "
)
_LAT = r"[-+]?(?:90(?:\.0+)?|[1-8]?\d(?:\.\d+)?)"
_LON = r"[-+]?(?:180(?:\.0+)?|(?:1[0-7]\d|[1-9]?\d)(?:\.\d+)?)"


def _decimals(number: str) -> int:
    return len(number.partition(".")[2])


def _pair_ok(value: str, before: str) -> bool:
    """GPS precision (4+ decimals on both, away from 0,0), or 1+ with a geo word before;
    `0.123, 0.456` and `12.345,67.890` are scores and ratios far more often."""
    lat, _, lon = value.replace(" ", "").partition(",")
    places = min(_decimals(lat), _decimals(lon))
    if places >= 1 and _GEO_WORDS.search(before[-24:]) is not None:
        return True
    return places >= 4 and max(abs(float(lat)), abs(float(lon))) >= 1.0


def _named_ok(value: str, _before: str) -> bool:
    return _decimals(value) >= 2


LOCATION_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="lat_lon_pair",
        entity="GEO_COORDINATE",
        pattern=r"(?<![\w.\-+])" + _LAT + r",[ \t]?" + _LON + r"(?![\w.]|,\d)",
        hint=r"\d\.\d+,\s?[-+]?\d{1,3}\.\d",
        score=0.85,
        validate=_pair_ok,
    ),
    Detector(
        name="lat_lon_named",
        entity="GEO_COORDINATE",
        pattern=(
            r"(?i)\b(?:lat|latitude|lng|lon|long|longitude)[\"']?\s*[:=]\s*[\"']?"
            r"(?P<v>[-+]?\d{1,3}\.\d+)"
        ),
        hint=r"(?i)lat|lng|lon",
        group="v",
        score=0.85,
        validate=_named_ok,
    ),
    Detector(
        name="lat_lon_degrees",
        entity="GEO_COORDINATE",
        pattern=(
            r"\b\d{1,2}(?:\.\d+)?°\s*(?:\d{1,2}'\u2032]\s*(?:\d{1,2}(?:\.\d+)?\"\u2033]\s*)?)?[NS]"
            r",?\s*\d{1,3}(?:\.\d+)?°\s*(?:\d{1,2}'\u2032]\s*(?:\d{1,2}(?:\.\d+)?\"\u2033]\s*)?)?[EW]\b"
        ),
        hint=r"\d°",
        score=0.9,
    ),
)
