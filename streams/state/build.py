"""The consent view's store as the settings describe it (None: held in memory)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from redactors.suppression import SubjectHasher
from streams.settings import Settings
from streams.state.consent import StoredConsent
from streams.state.store import ConsentStore, subject_key

__all__ = ["stored_consent"]


def stored_consent(settings: Settings, topic: str, *, policy_version: str, minimum_age: int,
                   env: Mapping[str, str]) -> StoredConsent | None:
    """The store of `topic` under the state dir; raises MissingKeyError without a
    suppression key (its HMAC keys the store, as it keys the suppression list)."""
    if settings.consent_store == "memory":
        return None
    hasher = SubjectHasher.from_env(env)
    # What the data was read from and hashed with: a checkpoint of anything else is foreign.
    # The key enters as an HMAC of a fixed text, which says nothing of the key.
    fingerprint = "|".join((topic, str(settings.partitions), policy_version, str(minimum_age),
                            subject_key(hasher, "\0store-fingerprint").hex()))
    store = ConsentStore(Path(settings.state_path) / f"{topic}.lmdb",
                         fingerprint=fingerprint.encode(), map_size=settings.state_map_size,
                         max_age=settings.checkpoint_max_age)
    return StoredConsent(store, hasher, cache_size=settings.consent_cache)
