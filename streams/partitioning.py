"""The partition of a keyed record, as every Kafka client computes it by default."""

from __future__ import annotations

from aiokafka.partitioner import murmur2

__all__ = ["partition_for"]


def partition_for(key: bytes, partitions: int) -> int:
    """Kafka's default partitioner: murmur2 of the key bytes, made positive, modulo the
    partition count (Java's `Utils.toPositive(Utils.murmur2(key)) % n`; aiokafka's too),
    so a record keyed by subject lands where any other producer would put it."""
    return int(murmur2(key) & 0x7FFFFFFF) % partitions
