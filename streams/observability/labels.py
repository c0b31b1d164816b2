"""Label values come only from fixed sets, so no event value can become a label."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["DEFAULT_CATEGORIES", "OTHER", "ROUTES", "LabelGuard"]

OTHER = "other"
ROUTES = ("analytics", "deadletter", "dropped", "identifiable_only")
DEFAULT_CATEGORIES = (
    "user.behavior.browsing_history", "user.behavior.session", "user.contact.email",
    "user.device", "user.device.cookie_id", "user.device.ip_address", "user.location.coarse",
    "user.location.precise", "user.name", "user.unique_id",
)
_CODE = re.compile(r"[a-z][a-z0-9_]{0,47}")  # a snake_case code; no @, dots, digits-first
_MAX_REASONS = 64


class LabelGuard:
    """Maps routes, categories and reason codes to label values; anything else is 'other'."""

    def __init__(self, categories: Iterable[str] = DEFAULT_CATEGORIES) -> None:
        self._categories = frozenset(categories)
        self._reasons: set[str] = set()

    def route(self, value: str) -> str:
        return value if value in ROUTES else OTHER

    def category(self, value: str) -> str:
        return value if value in self._categories else OTHER

    def reason(self, value: str) -> str:
        """Reason codes are a closed set in the engine; the shape check and a cap on
        distinct values keep a stray value (or a cardinality bomb) out of the labels."""
        if not _CODE.fullmatch(value):
            return OTHER
        if value not in self._reasons:
            if len(self._reasons) >= _MAX_REASONS:
                return OTHER
            self._reasons.add(value)
        return value
