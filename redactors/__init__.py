"""The privacy engine: pure, synchronous, no Kafka and no I/O on the hot path.

What an embedding program needs, in one import: load a policy and keys, build the engine,
route a record, read the result.
"""

from __future__ import annotations

from redactors.consent import ConsentState, ConsentTier
from redactors.engine import Engine, load_engine
from redactors.errors import LogwardenError
from redactors.keys import InMemoryKeyProvider, KeyProvider
from redactors.policy import Policy, load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.result import Outcome, Privacy, RoutedResult

__all__ = [
    "ConsentState",
    "ConsentTier",
    "Engine",
    "InMemoryKeyProvider",
    "KeyProvider",
    "LogwardenError",
    "Outcome",
    "Policy",
    "Privacy",
    "PseudonymKeyring",
    "RoutedResult",
    "load_engine",
    "load_policy",
]
