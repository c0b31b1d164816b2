"""User-agent generalization: browser family (+ major), OS family, device class."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache
from typing import Any

from ua_parser import parse

from redactors.errors import TransformError
from redactors.findings import TextScanner
from redactors.transforms.base import Transform, TransformDeps

__all__ = ["UserAgentGeneralize", "device_class"]

_MOBILE_OS = frozenset({"iOS", "Android", "Windows Phone", "BlackBerry OS", "KaiOS"})
_MAX_UA = 1024  # longer strings are not user agents a browser sends
_CACHE_LIMIT = 8192


def device_class(ua_family: str, os_family: str, device_family: str, text: str) -> str:
    """bot, tablet, mobile, desktop or other."""
    if device_family == "Spider" or "bot" in ua_family.lower():
        return "bot"
    if "iPad" in device_family or "Tablet" in text:
        return "tablet"
    if os_family in _MOBILE_OS or "Mobile" in text:
        return "mobile"
    if os_family in ("Other", ""):
        return "other"
    return "desktop"


@cache
def _load_parser() -> None:
    """ua-parser compiles its ~100 ms of regexes on first use: do it at construction, not
    inside the first event (where it would spend the event's CPU budget)."""
    parse("Mozilla/5.0")


@lru_cache(maxsize=8192)
def _generalize(text: str, with_major: bool) -> dict[str, str | None]:
    result = parse(text)
    ua, os_, device = result.user_agent, result.os, result.device
    ua_family = ua.family if ua else "Other"
    os_family = os_.family if os_ else "Other"
    device_family = device.family if device else "Other"
    out: dict[str, str | None] = {"browser": ua_family}
    if with_major:
        out["browser_major"] = ua.major if ua else None
    out["os"] = os_family
    out["device"] = device_class(ua_family, os_family, device_family, text)
    return out


class UserAgentGeneralize(Transform):
    """`{"browser": "Chrome", "browser_major": "120", "os": "Windows", "device": "desktop"}`."""

    def __init__(self, *, detail: str = "family", scanner: TextScanner | None = None) -> None:
        if detail not in ("family", "major"):
            raise ValueError("user_agent detail must be 'family' or 'major'")
        self._major = detail == "major"
        _load_parser()
        self._scanner = scanner
        self._cache: dict[str, dict[str, str | None]] = {}  # the scanned result per agent
        self.label = f"ua_{detail}"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TransformError("wrong_type")
        text = value[:_MAX_UA]
        found = self._cache.get(text)
        if found is None:
            found = self._treat(text)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[text] = found
        return dict(found)  # a copy: callers may change what they get

    def _treat(self, text: str) -> dict[str, str | None]:
        out = dict(_generalize(text, self._major))
        # Families are captured from the string itself: a crafted agent could carry an
        # email or a name there, so they pass the scanner too.
        if self._scanner is not None:
            for name in ("browser", "os"):
                family = out.get(name)
                if family and self._scanner.redact(family)[1]:
                    out[name] = "Other"
        return out

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> UserAgentGeneralize:
        return cls(**dict(settings), scanner=deps.scanner)
