"""The default transform registry: every transform type a policy may name."""

from __future__ import annotations

from redactors.transforms.base import Drop, Keep, Mask, Scan, TransformRegistry
from redactors.transforms.geo import GeoCoarsen
from redactors.transforms.ipgeo import IpGeneralize
from redactors.transforms.pseudonym import Pseudonymize
from redactors.transforms.quasi import LocaleLanguage, ScreenClass, TimeZoneOffset
from redactors.transforms.timestamps import CoarsenTimestamp
from redactors.transforms.urls import UrlScrub
from redactors.transforms.useragent import UserAgentGeneralize

__all__ = ["BUILTIN_TREATMENTS", "default_registry"]

#: treatment names every policy may use without declaring them under `transforms:`
BUILTIN_TREATMENTS = {"drop": {"type": "drop"}, "keep": {"type": "keep"},
                      "scan": {"type": "scan"}}


def default_registry() -> TransformRegistry:
    """A fresh registry with logwarden's transform types."""
    registry = TransformRegistry()
    registry.add("drop", Drop.from_policy)
    registry.add("keep", Keep.from_policy)
    registry.add("scan", Scan.from_policy)
    registry.add("mask", Mask.from_policy)
    registry.add("pseudonym", Pseudonymize.from_policy)
    registry.add("ip", IpGeneralize.from_policy)
    registry.add("geo", GeoCoarsen.from_policy)
    registry.add("timestamp", CoarsenTimestamp.from_policy)
    registry.add("user_agent", UserAgentGeneralize.from_policy)
    registry.add("url", UrlScrub.from_policy)
    registry.add("time_zone", TimeZoneOffset.from_policy)
    registry.add("locale", LocaleLanguage.from_policy)
    registry.add("screen", ScreenClass.from_policy)
    return registry
