"""Structured classification: which category a field path belongs to, cached per path."""

from __future__ import annotations

from collections.abc import Sequence

from redactors.name_tokens import first_match, name_tokens
from redactors.paths import ITEM
from redactors.policy import Category

__all__ = ["FieldClassifier"]

_CACHE_LIMIT = 65_536


class FieldClassifier:
    """Paths of every category first, then key-name patterns, each in policy order."""

    def __init__(self, categories: Sequence[Category]) -> None:
        self._paths = [(p, c.key) for c in categories for p in c.paths]
        self._names = [(n, c.key) for c in categories for n in c.names]
        self._tokens = [(t, c.key) for c in categories for t in c.name_tokens]
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
        if self._tokens:
            return first_match(_tail_tokens(shape), self._tokens)
        return None


_TAIL = 3  # `client.user.id` reads `client user id`; `user.group.id` does not end `user id`


def _tail_tokens(shape: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The word tokens of the last segment, of the last two, ... up to `_TAIL` (array
    markers skipped): a rule's `^` anchors at the start of any of these windows."""
    segments = [name_tokens(segment) for segment in shape if segment != ITEM][-_TAIL:]
    return tuple(tuple(t for seg in segments[at:] for t in seg)
                 for at in range(len(segments) - 1, -1, -1))
