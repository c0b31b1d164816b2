"""Access requests: gather what the broker holds for one subject into an export document."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redactors import codec
from redactors.export import HeldRecord, build_export
from redactors.sealing import decrypt_identifiable, key_id
from redactors.suppression import SubjectHasher
from streams.rights.reader import KeyReader
from streams.security import PLAINTEXT, ClientSecurity
from streams.topics import KEYS_TABLE, TopicNames

__all__ = ["collect_export", "export_details", "write_export"]


async def _subject_keys(reader: KeyReader, changelog: str, subject_id: str) -> dict[str, bytes]:
    """The subject's live data keys by key id: the last record of `{p}/{subject}` in each
    changelog partition p (streams.dataplane.keys.KeyStore), unless it is a tombstone."""
    keys: dict[str, bytes] = {}
    for partition in range(await reader.partition_count(changelog)):
        found = await reader.read_raw(changelog, partition, f"{partition}/{subject_id}".encode())
        if found and found[-1][2]:
            key = bytes(found[-1][2])
            keys[key_id(key)] = key
    return keys


async def collect_export(bootstrap: str, names: TopicNames, subject_id: str,
                         hasher: SubjectHasher, *, generated_at: str,
                         security: ClientSecurity = PLAINTEXT,
                         on_read: Callable[[int], None] | None = None,
                         all_partitions: bool = False) -> dict[str, Any]:
    """The export document for `subject_id`, read from the broker.

    The data plane writes identifiable records keyed by subject to the partition the key
    hashes to (streams.dataplane.outputs), so logs.identifiable is read in that partition
    only, like privacy.consent and privacy.requests (keyed by subject id) and
    privacy.receipts (keyed by the subject's hash). `all_partitions` reads every
    partition of logs.identifiable instead: records written before subject partitioning
    sit in their raw record's partition until the topic's retention removes them. The
    data keys live in the raw partition's changelog partition, so every partition of the
    keys changelog (compacted: one record per subject and partition) is read.
    """
    subject = subject_id.encode()
    async with KeyReader(bootstrap, security, on_read=on_read) as reader:
        keys = await _subject_keys(reader, names.changelog(KEYS_TABLE), subject_id)
        every = range(await reader.partition_count(names.identifiable))
        identifiable: list[HeldRecord] = await reader.read(
            names.identifiable, subject, every if all_partitions else None)
        consent = await reader.read(names.consent, subject)
        requests = await reader.read(names.requests, subject)
        receipts = []  # keyed by the hash of their time: before a key rotation, the older
        for subject_hash in hasher.history(subject_id):
            receipts += await reader.read(names.receipts, subject_hash.encode())
        sources = {topic: sorted(set(parts)) for topic, parts in reader.partitions_read.items()}
    return build_export(
        subject_id=subject_id, generated_at=generated_at,
        key_for=lambda record: keys.get(str(record.get("kid"))),
        decrypt=decrypt_identifiable, identifiable=identifiable, consent=consent,
        requests=requests, receipts=receipts, sources={"partitions_read": sources})


def export_details(document: dict[str, Any], data: bytes, location: str) -> dict[str, Any]:
    """The receipt's `export` details: where it went, how many records, its digest."""
    return {"location": location, "records": len(document["identifiable_records"]),
            "sha256": hashlib.sha256(data).hexdigest()}


def write_export(document: dict[str, Any], path: Path) -> dict[str, Any]:
    """Write the document readable by its owner only; the receipt's `export` details."""
    data = codec.dumps(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return export_details(document, data, path.resolve().as_uri())
