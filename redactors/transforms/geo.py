"""Geolocation coarsening: keep city, region or country granularity; round coordinates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redactors.errors import TransformError
from redactors.findings import TextScanner
from redactors.transforms.base import DROP, Transform, TransformDeps

__all__ = ["GeoCoarsen"]

_LEVELS = {"city": 0, "region": 1, "country": 2}
_KEY_LEVEL = {
    **dict.fromkeys(("city", "town", "locality", "postal_code", "postalcode", "zip",
                     "zip_code", "zipcode", "postcode"), 0),
    **dict.fromkeys(("region", "state", "province", "subdivision", "region_code",
                     "region_name", "state_code"), 1),
    **dict.fromkeys(("country", "country_code", "countrycode", "country_name",
                     "continent"), 2),
}
_PLACES_LIMIT = 65_536  # place names are attacker-controlled: bound what we remember
_PLACE_MAX_LEN = 128
_COORDS = frozenset({"lat", "lon", "lng", "latitude", "longitude", "coordinates", "coords",
                     "geo_point", "geopoint", "point"})


class GeoCoarsen(Transform):
    """Drop location parts finer than `level`; at city level coordinates round to 0.1°."""

    def __init__(self, *, level: str = "country", decimals: int = 1,
                 scanner: TextScanner | None = None) -> None:
        if level not in _LEVELS:
            raise ValueError(f"geo level must be one of {sorted(_LEVELS)}")
        if not 0 <= decimals <= 2:  # 2 decimals is ~1 km: coarse (over 500 m) at most
            raise ValueError("geo decimals must be 0..2")
        self._rank = _LEVELS[level]
        self._decimals = decimals
        self._scanner = scanner
        self._places: set[str] = set()
        self.label = f"geo_{level}"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        if isinstance(value, dict):
            return self._location(value, day)
        if value is None:
            return None
        return self._part(value, key.lower())

    def _location(self, value: dict[Any, Any], day: str) -> Any:
        """A location object: each part by its key's level; nothing left is a drop."""
        out: dict[Any, Any] = {}
        least, decimals, places = self._rank, self._decimals, self._places
        for sub_key, sub_value in value.items():
            # The commonest parts first, without the general path's checks.
            kind = type(sub_value)
            if kind is float:
                if least == 0 and sub_key in _COORDS:
                    out[sub_key] = round(sub_value, decimals)
                    continue
            elif kind is str and sub_value in places:
                rank = _KEY_LEVEL.get(sub_key)
                if rank is not None:
                    if rank >= least:
                        out[sub_key] = sub_value
                    continue
            treated = self(sub_value, str(sub_key), day)
            if treated is not DROP:
                out[sub_key] = treated
        return out or DROP

    def _part(self, value: Any, name: str) -> Any:
        """One named part: coordinates round, coarse enough places stay, the rest drops."""
        if name in _COORDS:
            return self._coordinates(value)
        rank = _KEY_LEVEL.get(name)
        if rank is None:
            return DROP  # a location part we cannot place (an address line?): never pass
        if not isinstance(value, str):
            raise TransformError("wrong_type")
        if rank < self._rank:
            return DROP
        # A place name is kept as it is, unless it carries something a detector knows.
        if self._scanner is not None and self._scanner.redact(value)[1]:
            return DROP
        if len(value) <= _PLACE_MAX_LEN:  # found clean: the next sight skips the scanner
            if len(self._places) >= _PLACES_LIMIT:
                self._places.clear()
            self._places.add(value)
        return value

    def _coordinates(self, value: Any) -> Any:
        if self._rank > 0:
            return DROP
        if isinstance(value, list | tuple):
            return [self._round(part) for part in value]
        if isinstance(value, str) and "," in value:
            return ",".join(str(self._round(part)) for part in value.split(","))
        return self._round(value)

    def _round(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TransformError("wrong_type")
        try:
            number = float(value)
        except ValueError:
            raise TransformError("bad_coordinate") from None
        return round(number, self._decimals)

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> GeoCoarsen:
        return cls(**dict(settings), scanner=deps.scanner)
