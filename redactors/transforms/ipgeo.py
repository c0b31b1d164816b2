"""IP generalization: derive the country offline first, then truncate to /24 and /48."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from iptocc import country_code

from redactors.errors import TransformError
from redactors.transforms.base import DROP, Transform, TransformDeps

__all__ = ["IpGeneralize", "country_of"]

_CACHE_LIMIT = 100_000
_EMPTY = frozenset({"", "-", "unknown", "none", "null"})


def country_of(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """ISO 3166-1 alpha-2 country the RIRs assigned the block to (iptocc's bundled data)."""
    if address.is_private or address.is_loopback or address.is_reserved:
        return None
    return country_code(str(address))


def _strip_port(text: str) -> str:
    if text.startswith("["):  # [2001:db8::1]:443
        return text[1:text.find("]")] if "]" in text else text
    if text.count(":") == 1 and "." in text:  # 203.0.113.9:8080
        return text.split(":", 1)[0]
    return text


class IpGeneralize(Transform):
    """`{"country": "FR", "network": "203.0.113.0/24"}`; either part can be switched off."""

    def __init__(self, *, country: bool = True, network: bool = True,
                 v4_prefix: int = 24, v6_prefix: int = 48) -> None:
        if not (country or network):
            raise ValueError("ip transform must keep the country or the network (else use drop)")
        if not (8 <= v4_prefix <= 24 and 16 <= v6_prefix <= 64):
            raise ValueError("ip prefixes must be /8../24 (IPv4) and /16../64 (IPv6)")
        self._country, self._network = country, network
        self._v4, self._v6 = v4_prefix, v6_prefix
        self._cache: dict[str, dict[str, str | None] | None] = {}
        self.label = "ip_network" if network else "ip_country"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TransformError("wrong_type")
        if "," in value:  # X-Forwarded-For: client, proxy1, proxy2
            parts = [self._one(part) for part in value.split(",")]
            kept = [part for part in parts if part is not None]
            return kept or DROP
        one = self._one(value)
        return DROP if one is None else one

    def _one(self, text: str) -> dict[str, str | None] | None:
        text = text.strip()
        if text in self._cache:
            return self._cache[text]
        result: dict[str, str | None] | None
        if text.lower() in _EMPTY:
            result = None
        elif (fast := self._fast_v4(text)) is not None:
            result = fast
        else:
            try:
                address = ipaddress.ip_address(_strip_port(text))
            except ValueError:
                result = None  # not an address: nothing of it may pass
            else:
                if address.version == 6 and address.ipv4_mapped is not None:
                    address = address.ipv4_mapped
                result = {}
                if self._country:
                    result["country"] = country_of(address)
                if self._network:
                    prefix = self._v4 if address.version == 4 else self._v6
                    result["network"] = str(ipaddress.ip_network(f"{address}/{prefix}",
                                                                 strict=False))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = result
        return result

    def _fast_v4(self, text: str) -> dict[str, str | None] | None:
        """Plain public dotted-quad IPv4 with a /24 prefix, without ipaddress objects."""
        parts = text.split(".")
        if self._v4 != 24 or len(parts) != 4 or not all(
                p.isdigit() and len(p) <= 3 and int(p) <= 255 and (p == "0" or p[0] != "0")
                for p in parts):
            return None
        first = int(parts[0])
        if first in (0, 10, 127) or first >= 224:
            return None  # special ranges: the slow path knows them all
        result: dict[str, str | None] = {}
        if self._country:
            result["country"] = country_code(text)
        if self._network:
            result["network"] = f"{parts[0]}.{parts[1]}.{parts[2]}.0/24"
        return result

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> IpGeneralize:
        return cls(**dict(settings))
