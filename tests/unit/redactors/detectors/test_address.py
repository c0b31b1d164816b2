"""Street addresses in free text: house number, street name, street-type word."""

from __future__ import annotations

import pytest

from redactors.scanner import FreeTextScanner


@pytest.fixture(scope="module")
def scanner() -> FreeTextScanner:
    return FreeTextScanner()


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("shipped to 221B Baker Street, London", "221B Baker Street"),
        ("deliver to 1600 Pennsylvania Avenue NW, Suite 200, today",
         "1600 Pennsylvania Avenue NW, Suite 200"),
        ("address: 742 Evergreen Terrace, Springfield", "742 Evergreen Terrace"),
        ("office at 350 5th Ave.", "350 5th Ave."),
        ("lives at 12-14 Martin Luther King Jr. Blvd Apt 4B",
         "12-14 Martin Luther King Jr. Blvd Apt 4B"),
        ("moved to 12 rue de la Paix", "12 rue de la Paix"),
        ("vive al 3 Via Roma", "3 Via Roma"),
        ("wohnt in der Hauptstraße 5 in Berlin", "Hauptstraße 5"),
        ("adres: Keizersgracht 123", "Keizersgracht 123"),
    ],
)
def test_street_addresses_are_found(scanner: FreeTextScanner, text: str, address: str) -> None:
    redacted, entities = scanner.redact(text)
    assert "STREET_ADDRESS" in entities
    assert address not in redacted
    assert redacted.count("<STREET_ADDRESS>") == 1


@pytest.mark.parametrize(
    "text",
    [
        "version 3 Release Way",
        "error 404 Not Found Drive",
        "HTTP 200 OK",
        "step 2 of 5 Way",
        "took 3 days on the road",  # no capitalized street name
        "Received block blk_1 of size 67108864 from /10.250.19.102",
        "the 2 Streets merged",
    ],
)
def test_non_addresses_are_left(scanner: FreeTextScanner, text: str) -> None:
    assert "STREET_ADDRESS" not in scanner.redact(text)[1]
