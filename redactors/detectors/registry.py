"""The detector registry: explicit add, remove and lookup by entity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from redactors.detectors.base import Detector

__all__ = ["DetectorRegistry"]


class DetectorRegistry:
    """Holds detectors by name, shaped like Presidio's RecognizerRegistry."""

    def __init__(self, detectors: Iterable[Detector] = ()) -> None:
        self._by_name: dict[str, Detector] = {}
        for detector in detectors:
            self.add(detector)

    def add(self, detector: Detector) -> None:
        """Register one detector; its name must be new."""
        if detector.name in self._by_name:
            raise ValueError(f"detector {detector.name} is already registered")
        self._by_name[detector.name] = detector

    def remove(self, name: str) -> None:
        """Unregister the detector called `name`."""
        if self._by_name.pop(name, None) is None:
            raise KeyError(f"no detector called {name}")

    def get(self, entities: Iterable[str] | None = None) -> list[Detector]:
        """The detectors for `entities` (all when None), in registration order."""
        if entities is None:
            return list(self._by_name.values())
        wanted = frozenset(entities)
        return [d for d in self._by_name.values() if d.entity in wanted]

    @property
    def entities(self) -> frozenset[str]:
        """Every entity some registered detector finds."""
        return frozenset(d.entity for d in self._by_name.values())

    def __iter__(self) -> Iterator[Detector]:
        return iter(list(self._by_name.values()))

    def __len__(self) -> int:
        return len(self._by_name)
