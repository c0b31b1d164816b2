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
    """Pairs need real precision (3+ decimals on both), or 1+ with a geo word before."""
    lat, _, lon = value.replace(" ", "").partition(",")
    places = min(_decimals(lat), _decimals(lon))
    if places >= 3:
        return True
    return places >= 1 and _GEO_WORDS.search(before[-24:]) is not None


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
