"""The consent view's, the subject keys' and the suppression list's stores as the settings
describe them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from redactors.suppression import SubjectHasher
from streams.settings import Settings
from streams.state.consent import StoredConsent
from streams.state.keys import KeyTable, MemoryKeys, StoredKeys
from streams.state.store import CheckpointStore, subject_key
from streams.state.suppression import StoredSuppression

__all__ = ["key_table", "stored_consent", "stored_suppression"]


def _key_fingerprint(hasher: SubjectHasher) -> str:
    """The key enters as an HMAC of a fixed text, which says nothing of the key."""
    return subject_key(hasher, "\0store-fingerprint").hex()


def stored_consent(settings: Settings, topic: str, *, policy_version: str, minimum_age: int,
                   env: Mapping[str, str]) -> StoredConsent | None:
    """The store of `topic` under the state dir; raises MissingKeyError without a
    suppression key (its HMAC keys the store, as it keys the suppression list)."""
    if settings.consent_store == "memory":
        return None
    hasher = SubjectHasher.from_env(env)
    # What the data was read from and hashed with: a checkpoint of anything else is foreign.
    fingerprint = "|".join((topic, str(settings.partitions), policy_version, str(minimum_age),
                            _key_fingerprint(hasher)))
    store = CheckpointStore(Path(settings.state_path) / f"{topic}.lmdb",
                         fingerprint=fingerprint.encode(), map_size=settings.state_map_size,
                         max_age=settings.checkpoint_max_age)
    return StoredConsent(store, hasher, cache_size=settings.consent_cache)


def key_table(settings: Settings, changelog: str, *, env: Mapping[str, str]) -> KeyTable:
    """The keys changelog's table: the host's store under the state dir (keys wrapped
    with a key derived from the suppression key), or dicts."""
    if settings.key_store == "memory":
        return MemoryKeys()
    hasher = SubjectHasher.from_env(env)
    fingerprint = "|".join((changelog, str(settings.partitions), _key_fingerprint(hasher)))
    store = CheckpointStore(Path(settings.state_path) / f"{changelog}.lmdb",
                            fingerprint=fingerprint.encode(), map_size=settings.state_map_size,
                            max_age=settings.checkpoint_max_age, kind="keys",
                            source="the keys changelog")
    return StoredKeys(store, hasher, partitions=settings.partitions,
                      cache_size=settings.key_cache)


def stored_suppression(settings: Settings, changelog: str) -> StoredSuppression | None:
    """The suppression changelog's store under the state dir, or None (a dict). Its keys
    are the hashes as the changelog holds them, so it needs no key of its own."""
    if settings.suppression_store == "memory":
        return None
    fingerprint = "|".join((changelog, str(settings.partitions)))
    store = CheckpointStore(Path(settings.state_path) / f"{changelog}.lmdb",
                            fingerprint=fingerprint.encode(), map_size=settings.state_map_size,
                            max_age=settings.checkpoint_max_age, kind="suppression",
                            source="the suppression changelog")
    return StoredSuppression(store, cache_size=settings.suppression_cache)
