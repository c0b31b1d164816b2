"""Correction requests: apply new consent values and say which fields changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redactors.consent import ConsentState

__all__ = ["CORRECTABLE_FIELDS", "FieldChange", "correct_consent"]

_FLAGS = ("analytics", "profiling", "marketing", "gpc")
CORRECTABLE_FIELDS = (*_FLAGS, "birth_year")


@dataclass(frozen=True, kw_only=True, slots=True)
class FieldChange:
    """One changed field. Flags keep old and new; birth_year only its name (it is PII)."""

    field: str
    old: bool | None = None
    new: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.field not in _FLAGS:
            return {"field": self.field}
        return {"field": self.field, "old": self.old, "new": self.new}


def correct_consent(state: ConsentState, changes: Mapping[str, Any], *,
                    updated_at: str) -> tuple[ConsentState, list[FieldChange]]:
    """The corrected state and the fields whose value really changed.

    `changes` has been validated against the request schema (known fields, right types).
    """
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValueError(f"not correctable: {', '.join(unknown)}")
    changed: list[FieldChange] = []
    updates: dict[str, Any] = {}
    for name in CORRECTABLE_FIELDS:
        if name not in changes or getattr(state, name) == changes[name]:
            continue
        updates[name] = changes[name]
        if name in _FLAGS:
            changed.append(FieldChange(field=name, old=getattr(state, name), new=changes[name]))
        else:
            changed.append(FieldChange(field=name))
    if not updates:
        return state, []
    return dataclasses.replace(state, updated_at=updated_at, **updates), changed

