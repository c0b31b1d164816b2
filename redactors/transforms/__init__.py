"""Transforms, one module per kind; `builtin` holds the default registry."""

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
