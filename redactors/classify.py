"""Structured classification: which category a field path belongs to, cached per path."""

from __future__ import annotations

from collections.abc import Sequence

from redactors.paths import ITEM
from redactors.policy import Category

__all__ = ["FieldClassifier"]

_CACHE_LIMIT = 65_536


class FieldClassifier:
    """Paths of every category first, then key-name patterns, each in policy order."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self._paths = [(p, c.key) for c in categories for p in c.paths]
        self._names = [(n, c.key) for c in categories for n in c.names]
        self._cache: dict[tuple[str, ...], str | None] = {}

    def classify(self, shape: tuple[str, ...]) -> str | None:
        """The category key for a field path (array elements as `[]`), or None."""
        try:
            return self._cache[shape]
        except KeyError:
            pass
        found = self._classify(shape)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # keys are attacker-controlled: bound the memory
        self._cache[shape] = found
        return found

    def _classify(self, shape: tuple[str, ...]) -> str | None:
        for pattern, key in self._paths:
            if pattern.matches(shape):
                return key
        name = next((segment for segment in reversed(shape) if segment != ITEM), "")
        if shape and shape[-1] == ITEM:
            return None  # array elements inherit from the array's own field, not its name
        for regex, key in self._names:
            if regex.search(name):
                return key
        return None
