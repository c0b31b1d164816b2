"""The batched data plane: raw records in, routed records out, committed in batches."""

from streams.dataplane.service import DataPlane

__all__ = ["DataPlane"]
