"""A partition assignor that gives every partition to one member of the group.

The aggregator must see all of a window's contributions in one place, whichever raw
partition they came through; the group only elects that place (and moves it when its
owner dies). Members elect the lowest member id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aiokafka.cluster import ClusterMetadata
from aiokafka.coordinator.assignors.abstract import AbstractPartitionAssignor
from aiokafka.coordinator.protocol import (
    ConsumerProtocolMemberAssignment,
    ConsumerProtocolMemberMetadata,
)

__all__ = ["SingleOwnerAssignor"]


class SingleOwnerAssignor(AbstractPartitionAssignor):  # type: ignore[misc]
    name = "logwarden-single-owner"
    version = 0

    @classmethod
    def assign(cls, cluster: ClusterMetadata,
               members: Mapping[str, ConsumerProtocolMemberMetadata]
               ) -> dict[str, ConsumerProtocolMemberAssignment]:
        owner = min(members)
        topics = sorted({t for m in members.values() for t in m.subscription})
        owned = [(t, sorted(cluster.partitions_for_topic(t) or ())) for t in topics]
        return {member: ConsumerProtocolMemberAssignment(
                    cls.version, owned if member == owner else [], b"")
                for member in members}

    @classmethod
    def metadata(cls, topics: Iterable[str]) -> ConsumerProtocolMemberMetadata:
        return ConsumerProtocolMemberMetadata(cls.version, list(topics), b"")

    @classmethod
    def on_assignment(cls, assignment: ConsumerProtocolMemberAssignment) -> None:
        pass
