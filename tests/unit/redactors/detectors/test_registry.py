"""DetectorRegistry and Detector: explicit registration and checks at construction."""

from __future__ import annotations

import pytest

from redactors.detectors import ENTITIES, Detector, DetectorRegistry, default_registry
from redactors.scanner import FreeTextScanner


def _ticket(name: str = "ticket") -> Detector:
    return Detector(name=name, entity="TICKET_ID", pattern=r"\bTCK-\d{6}\b", hint=r"TCK-\d{6}")


def test_default_registry_covers_every_entity() -> None:
    assert default_registry().entities == ENTITIES
    assert "PERSON" in ENTITIES
    assert len(ENTITIES) == 19  # + ID_NUMBER, USERNAME, STREET_ADDRESS, DATE_OF_BIRTH


def test_add_get_remove() -> None:
    registry = DetectorRegistry()
    registry.add(_ticket())
    assert [d.name for d in registry.get(["TICKET_ID"])] == ["ticket"]
    assert registry.get(["EMAIL_ADDRESS"]) == []
    registry.remove("ticket")
    assert len(registry) == 0


def test_duplicate_and_missing_names_are_errors() -> None:
    registry = DetectorRegistry([_ticket()])
    with pytest.raises(ValueError, match="already registered"):
        registry.add(_ticket())
    with pytest.raises(KeyError, match="nope"):
        registry.remove("nope")


def test_custom_detector_runs_in_the_scanner() -> None:
    registry = default_registry()
    registry.add(_ticket())
    scanner = FreeTextScanner(["TICKET_ID", "EMAIL_ADDRESS"], registry=registry)
    assert scanner.redact("TCK-123456 from a@b.co") == (
        "<TICKET_ID> from <EMAIL_ADDRESS>",
        {"TICKET_ID", "EMAIL_ADDRESS"},
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pattern": r"(unclosed"}, "bad pattern"),
        ({"score": 0.0}, "score"),
        ({"entity": "lower"}, "UPPER_CASE"),
        ({"group": "v"}, "no group"),
        ({"group": 3}, "no group"),
        ({"hint": "("}, "bad hint"),
    ],
)
def test_bad_detectors_fail_at_construction(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"name": "x", "entity": "X", "pattern": r"x", "hint": "x"}
    fields.update(changes)
    with pytest.raises(ValueError, match=message):
        Detector(**fields)  # type: ignore[arg-type]


def test_scanner_builds_without_hyperscan() -> None:
    scanner = FreeTextScanner(["EMAIL_ADDRESS"], use_hyperscan=False)
    assert scanner.redact("to a@b.co") == ("to <EMAIL_ADDRESS>", {"EMAIL_ADDRESS"})
