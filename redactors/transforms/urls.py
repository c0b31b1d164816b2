"""URL scrubbing: keep scheme, host and path; drop query values; scrub id-like path segments
and the segments that name a person (`/users/ada.lovelace`, `/~alice/`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from redactors.errors import TransformError
from redactors.findings import TextScanner
from redactors.transforms.base import Transform, TransformDeps

__all__ = ["UrlScrub"]

_CACHE_LIMIT = 50_000
_REQUEST_LINE = re.compile(r"([A-Z]{3,10}) (\S+)( HTTP/\d(?:\.\d)?)?")
_SCHEME_HOST = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://)([^/?#]*)")
_NEEDS_SCAN = re.compile(r"[0-9@:]")
_SAFE_PARAM = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,40}")
# Path segments that identify someone or something: long numbers, UUIDs, hex or
# base64-ish tokens, anything with an @; short numbers like /projects/42 stay.
_ID_SEGMENT = re.compile(
    r"\d{6,}|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
    r"|[0-9a-fA-F]{16,}|(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}|.*@.*"
    r"|.*(?:%40|%2540).*")


# A segment after one of these names a person (`/users/ada.lovelace`, `/profile/42`,
# `/customers/ada`), unless it is a route word; `/~alice/` is a home page.
_PERSON_PARENTS = frozenset({
    "u", "user", "users", "profile", "profiles", "people", "person", "persons", "member",
    "members", "account", "accounts", "author", "authors", "customer", "customers",
    "patient", "patients", "employee", "employees", "student", "students", "contact",
    "contacts", "friend", "friends", "follower", "followers", "player", "players"})
_ROUTE_WORDS = frozenset({
    "me", "self", "current", "new", "edit", "create", "update", "delete", "remove", "search",
    "list", "all", "index", "login", "logout", "signin", "signup", "register", "settings",
    "preferences", "password", "reset", "verify", "confirm", "activate", "avatar", "photo",
    "picture", "image", "images", "api", "v1", "v2", "v3", "count", "stats", "export",
    "import", "bulk", "batch", "invite", "invites", "roles", "groups", "permissions",
    "admin", "public", "feed", "home", "about", "help", "view", "show", "details", "info"})


_FORMAT_SUFFIX = re.compile(r"\.(?:json|xml|html)$")  # `/users/me.json` is `/users/me`


def _names_person(parent: str, segment: str) -> bool:
    """Whether `segment` after `parent` identifies someone (handle, id or `~name`)."""
    if segment.startswith("~"):
        return len(segment) > 1
    if parent.lower() not in _PERSON_PARENTS:
        return False
    return _FORMAT_SUFFIX.sub("", segment.lower()) not in _ROUTE_WORDS


class UrlScrub(Transform):
    """`/projects/42?tab&ref` (query: keys) or `/projects/42` (query: drop); fragments go."""

    def __init__(self, scanner: TextScanner, *, query: str = "keys",
                 placeholder: str = "<ID>") -> None:
        if query not in ("keys", "drop"):
            raise ValueError("url query must be 'keys' or 'drop'")
        self._scanner = scanner
        self._keys = query == "keys"
        self._placeholder = placeholder
        self._cache: dict[str, str] = {}
        self.label = "url_query_keys" if self._keys else "url_path"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TransformError("wrong_type")
        found = self._cache.get(value)
        if found is None:
            found = self._scrub(value)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[value] = found
        return found

    def _scrub(self, text: str) -> str:
        request = _REQUEST_LINE.fullmatch(text)
        if request is not None:  # "GET /path?q HTTP/1.1" from access logs
            method, target, version = request.groups()
            return f"{method} {self._scrub_url(target)}{version or ''}"
        if " " in text.strip():  # not a URL: free text, scanned as such
            return self._scanner.redact(text)[0]
        return self._scrub_url(text.strip())

    def _scrub_url(self, url: str) -> str:
        url = url.split("#", 1)[0]
        if "?" not in url and "=" in url and "/" not in url:
            url = "?" + url  # a bare query string (nginx $args)
        path, _, query = url.partition("?")
        prefix = ""
        origin = _SCHEME_HOST.match(path)
        if origin is not None:
            host = origin.group(2).rpartition("@")[2]  # user:password@ never passes
            if _NEEDS_SCAN.search(host):  # a bare host name carries nothing we detect
                host = self._scanner.redact(host)[0]
            prefix = origin.group(1) + host
            path = path[origin.end():]
        parts = path.split("/")
        segments = [self._placeholder if i and part and _names_person(parts[i - 1], part)
                    else self._segment(part) for i, part in enumerate(parts)]
        out = prefix + "/".join(segments)
        if self._keys and query:
            names = [part.split("=", 1)[0] for part in query.split("&")]
            # A parameter name is data too (`?203.0.113.77&x=1`): scanned like a path segment.
            kept = [self._segment(name) for name in names if _SAFE_PARAM.fullmatch(name)]
            if kept:
                out += "?" + "&".join(kept)
        return out

    def _segment(self, segment: str) -> str:
        if not segment:
            return segment
        if _ID_SEGMENT.fullmatch(segment):
            return self._placeholder
        decoded = unquote(segment)
        if not _NEEDS_SCAN.search(decoded):
            return segment  # no digit, @ or colon: no pattern entity can be in it
        redacted, entities = self._scanner.redact(decoded)
        return redacted if entities else segment

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> UrlScrub:
        return cls(deps.scanner, **dict(settings))
