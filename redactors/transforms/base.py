"""Transforms: configured callables that turn one field value into its treated form.

One explicit registry maps a policy `type` to a factory; the policy names configured
instances (`transforms:`) and the treatment matrix refers to them by name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from redactors.errors import TransformError
from redactors.findings import TextScanner

__all__ = [
    "DROP",
    "Drop",
    "Keep",
    "Mask",
    "Scan",
    "Transform",
    "TransformDeps",
    "TransformFactory",
    "TransformRegistry",
]


class _Dropped:
    """The sentinel a transform returns to remove the field."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DROP"


DROP: Final = _Dropped()


class Transform(ABC):
    """One configured treatment: settings in `__init__`, work in `__call__`."""

    #: short label recorded in `_privacy.transforms` (no values, no settings that identify)
    label: str = "transform"

    @abstractmethod
    def __call__(self, value: Any, key: str, day: str) -> Any:
        """The treated value, or DROP. `key` is the field's own name, `day` the event's date.

        Raises TransformError when the value has a type the transform must not guess at.
        """


@dataclass(frozen=True, kw_only=True, slots=True)
class TransformDeps:
    """What factories may need besides their settings."""

    scanner: TextScanner
    pseudonym_keys: Any = None  # a PseudonymKeyring; Any keeps this module free of it


TransformFactory = Callable[[Mapping[str, Any], TransformDeps], Transform]


class TransformRegistry:
    """Policy `type` name -> factory. Explicit: add, remove, get; nothing discovered."""

    def __init__(self) -> None:
        self._factories: dict[str, TransformFactory] = {}

    def add(self, type_name: str, factory: TransformFactory) -> None:
        """Register one factory; its type name must be new (as in DetectorRegistry)."""
        if type_name in self._factories:
            raise ValueError(f"transform type {type_name} is already registered")
        self._factories[type_name] = factory

    def remove(self, type_name: str) -> None:
        """Unregister the factory for `type_name`."""
        if self._factories.pop(type_name, None) is None:
            raise KeyError(f"no transform type {type_name}")

    def get(self, type_name: str) -> TransformFactory:
        try:
            return self._factories[type_name]
        except KeyError:
            raise LookupError(f"unknown transform type {type_name!r}") from None

    def types(self) -> list[str]:
        return sorted(self._factories)

    def build(self, params: Mapping[str, Any], deps: TransformDeps) -> Transform:
        """Instantiate from a policy entry such as `{type: ip, country: true}`."""
        settings = {k: v for k, v in params.items() if k != "type"}
        return self.get(str(params.get("type")))(settings, deps)


def _no_settings(name: str, settings: Mapping[str, Any]) -> None:
    if settings:
        raise ValueError(f"{name} takes no settings, got {sorted(settings)}")


class Drop(Transform):
    """Remove the field."""

    label = "drop"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        return DROP

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> Drop:
        _no_settings("drop", settings)
        return cls()


class Keep(Transform):
    """Keep the value as it is: only for the identifiable route, which is encrypted."""

    label = "keep"

    def __call__(self, value: Any, key: str, day: str) -> Any:
        return value

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> Keep:
        _no_settings("keep", settings)
        return cls()


class Mask(Transform):
    """Partial mask: keep the last (and optionally first) characters, star the rest."""

    label = "mask"

    def __init__(self, *, keep_last: int = 4, keep_first: int = 0, char: str = "*") -> None:
        if keep_last < 0 or keep_first < 0 or len(char) != 1:
            raise ValueError("mask needs keep_last, keep_first >= 0 and a one-character mask")
        self._last, self._first, self._char = keep_last, keep_first, char

    def __call__(self, value: Any, key: str, day: str) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise TransformError("wrong_type")
        compact = "".join(value.split())
        # Never reveal more than half of the value, whatever the settings say.
        visible = min(self._first + self._last, len(compact) // 2)
        last = min(self._last, visible)
        first = visible - last
        tail = compact[len(compact) - last:] if last else ""
        return compact[:first] + self._char * (len(compact) - first - last) + tail

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> Mask:
        return cls(**dict(settings))


class Scan(Transform):
    """Free text: every finding of the scanner replaced by its `<ENTITY>` placeholder."""

    label = "scan"

    def __init__(self, scanner: TextScanner) -> None:
        self._scanner = scanner

    def __call__(self, value: Any, key: str, day: str) -> Any:
        if not isinstance(value, str):
            raise TransformError("wrong_type")
        return self._scanner.redact(value)[0]

    @classmethod
    def from_policy(cls, settings: Mapping[str, Any], deps: TransformDeps) -> Scan:
        _no_settings("scan", settings)
        return cls(deps.scanner)
