"""Transforms, one module per kind, and the default registry that holds them all."""

from __future__ import annotations

from redactors.transforms.base import (
    DROP,
    Drop,
    Keep,
    Mask,
    Scan,
    Transform,
    TransformDeps,
    TransformFactory,
    TransformRegistry,
)
from redactors.transforms.builtin import BUILTIN_TREATMENTS, default_registry

__all__ = [
    "BUILTIN_TREATMENTS",
    "DROP",
    "Drop",
    "Keep",
    "Mask",
    "Scan",
    "Transform",
    "TransformDeps",
    "TransformFactory",
    "TransformRegistry",
    "default_registry",
]
