"""Free-text detectors, grouped by kind, and the default registry that holds them all."""

from __future__ import annotations

from redactors.detectors.accounts import ACCOUNT_DETECTORS
from redactors.detectors.address import ADDRESS_DETECTORS
from redactors.detectors.base import Detector, Validator, always
from redactors.detectors.birth import BIRTH_DETECTORS
from redactors.detectors.contact import CONTACT_DETECTORS
from redactors.detectors.credential_names import CREDENTIAL_NAME_DETECTORS
from redactors.detectors.credentials import CREDENTIAL_DETECTORS
from redactors.detectors.financial import FINANCIAL_DETECTORS
from redactors.detectors.identifiers import IDENTIFIER_DETECTORS
from redactors.detectors.location import LOCATION_DETECTORS
from redactors.detectors.national_ids import NATIONAL_ID_DETECTORS
from redactors.detectors.network import NETWORK_DETECTORS
from redactors.detectors.person import PERSON_DETECTORS
from redactors.detectors.registry import DetectorRegistry

__all__ = [
    "BUILTIN_DETECTORS",
    "ENTITIES",
    "Detector",
    "DetectorRegistry",
    "Validator",
    "always",
    "default_registry",
]

# Order is priority among equal scores: credentials before the numbers they contain.
BUILTIN_DETECTORS: tuple[Detector, ...] = (
    *CREDENTIAL_DETECTORS,
    *CREDENTIAL_NAME_DETECTORS,
    *BIRTH_DETECTORS,
    *NETWORK_DETECTORS,
    *CONTACT_DETECTORS,
    *FINANCIAL_DETECTORS,
    *IDENTIFIER_DETECTORS,
    *NATIONAL_ID_DETECTORS,
    *LOCATION_DETECTORS,
    *ADDRESS_DETECTORS,
    *PERSON_DETECTORS,
    *ACCOUNT_DETECTORS,
)
ENTITIES: frozenset[str] = frozenset(d.entity for d in BUILTIN_DETECTORS)


def default_registry() -> DetectorRegistry:
    """A fresh registry holding every built-in detector."""
    return DetectorRegistry(BUILTIN_DETECTORS)
