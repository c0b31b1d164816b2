"""A bounded cache of recent answers in two generations, in front of a store on disk.

A hit is one or two dict probes. At most `size / 2` answers are young: when the young
generation is full it becomes the old one and the old one is dropped, and a hit in the
old generation moves the answer back. "Not found" answers are cached like the others,
so the callers update a cached key when its stored value changes (`update`) and leave
uncached keys to be read when they are next used.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["TwoGenerations"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_MISS = object()


class TwoGenerations(Generic[K, V]):
    """`get(key)` answers from the cache, else from `load(key)`, which it then caches."""

    __slots__ = ("_half", "_load", "_old", "_young")

    def __init__(self, size: int, load: Callable[[K], V]) -> None:
        self._half = max(1, size // 2)
        self._load = load
        self._young: dict[K, V] = {}
        self._old: dict[K, V] = {}

    def get(self, key: K) -> V:
        found = self._young.get(key, _MISS)
        if found is _MISS:
            found = self._old.get(key, _MISS)
            if found is _MISS:
                found = self._load(key)
            if len(self._young) >= self._half:
                self._old, self._young = self._young, {}
            self._young[key] = found  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    def update(self, key: K, value: V) -> None:
        """A cached key's new answer; an uncached key stays uncached."""
        if key in self._young:
            self._young[key] = value
        elif key in self._old:
            self._old[key] = value

    def discard(self, key: K) -> None:
        self._young.pop(key, None)
        self._old.pop(key, None)

    def keep(self, wanted: Callable[[K], bool]) -> None:
        """Drop every cached key that is not `wanted`."""
        self._young = {k: v for k, v in self._young.items() if wanted(k)}
        self._old = {k: v for k, v in self._old.items() if wanted(k)}

    def clear(self) -> None:
        self._young.clear()
        self._old.clear()

    def __len__(self) -> int:
        return len(self._young) + len(self._old)
