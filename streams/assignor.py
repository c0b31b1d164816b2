"""Faust's partition assignor, made safe for transactional sends to output topics."""

from __future__ import annotations

from faust.assignor import PartitionAssignor

__all__ = ["CopartitionedOutputsAssignor"]


class CopartitionedOutputsAssignor(PartitionAssignor):
    """Faust names a transactional producer `{app}-{group}-{partition}` from the topic
    group of the *destination* topic, but only subscribed topics have a group, so a
    send to logs.analytics raises KeyError under exactly-once. Every logwarden topic has
    the same partition count and one group, and the agent sends each output to the
    partition it consumed from, so outputs belong to the transaction of their input."""

    def group_for_topic(self, topic: str) -> int:
        groups = self._topic_groups
        if topic in groups:
            return int(groups[topic])
        return int(min(groups.values())) if groups else 0
