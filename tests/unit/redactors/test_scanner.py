"""FreeTextScanner: the contract, escaping, overlaps, entity selection and caching."""

from __future__ import annotations

import itertools
import time

import pytest

from redactors.findings import Finding, TextScanner
from redactors.scanner import FreeTextScanner


@pytest.fixture(scope="module")
def scanner() -> FreeTextScanner:
    return FreeTextScanner()


def test_satisfies_the_text_scanner_protocol(scanner: FreeTextScanner) -> None:
    checked: TextScanner = scanner
    assert checked.find("nothing to see here") == []


@pytest.mark.parametrize(
    ("text", "redacted", "entities"),
    [
        (
            "user jane.doe@example.com logged in from 203.0.113.7",
            "user <EMAIL_ADDRESS> logged in from <IP_ADDRESS>",
            {"EMAIL_ADDRESS", "IP_ADDRESS"},
        ),
        (
            "GET /login?email=jane.doe%40example.com&next=%2Fhome HTTP/1.1",
            "GET /login?email=<EMAIL_ADDRESS>&next=%2Fhome HTTP/1.1",
            {"EMAIL_ADDRESS"},
        ),
        (
            "GET /x?contact=jane%252Edoe%2540example.com",
            "GET /x?contact=<EMAIL_ADDRESS>",
            {"EMAIL_ADDRESS"},
        ),
        ("no personal data, took 1234 ms", "no personal data, took 1234 ms", set()),
    ],
)
def test_redact_replaces_values_with_placeholders(
    scanner: FreeTextScanner, text: str, redacted: str, entities: set[str]
) -> None:
    assert scanner.redact(text) == (redacted, frozenset(entities))


def test_findings_are_sorted_and_disjoint(scanner: FreeTextScanner) -> None:
    text = "a@b.com 10.0.0.1 +44 20 7946 0958 4111 1111 1111 1111 c@d.org"
    findings = scanner.find(text)
    assert [f.entity for f in findings] == [
        "EMAIL_ADDRESS",
        "IP_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "EMAIL_ADDRESS",
    ]
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_entities_limit_the_scan() -> None:
    only_ip = FreeTextScanner(["IP_ADDRESS"])
    assert only_ip.redact("a@b.com from 10.0.0.1") == ("a@b.com from <IP_ADDRESS>", {"IP_ADDRESS"})


def test_unknown_entity_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="NOT_AN_ENTITY"):
        FreeTextScanner(["NOT_AN_ENTITY"])


def test_cached_results_cannot_be_mutated_by_callers(scanner: FreeTextScanner) -> None:
    text = "mail a@b.com now"
    first = scanner.find(text)
    first.append(Finding(0, 1, "X", 1.0))
    assert scanner.find(text) == first[:1]


def test_re_fallback_finds_the_same(scanner: FreeTextScanner) -> None:
    plain = FreeTextScanner(use_hyperscan=False)
    text = "ssn 123-45-6789, card 4111-1111-1111-1111, mac 00:1a:2b:3c:4d:5e"
    assert plain.find(text) == scanner.find(text)


@pytest.mark.parametrize(
    "text",
    [
        "1" * 20000,
        "12 " * 7000,
        "1." * 10000,
        "ab:" * 7000,
        "a@" + "a." * 10000,
        "Ab " * 7000,
        "%41" * 7000,
        "password=" * 2000,
        "Dear Mr. " * 2000,
        "[::" * 7000,
        "DE89 " * 4000,
    ],
    ids=lambda text: repr(text[:6]),
)
def test_adversarial_inputs_stay_linear(scanner: FreeTextScanner, text: str) -> None:
    started = time.perf_counter()
    scanner.find(text)
    assert time.perf_counter() - started < 1.0  # about 30 ms today; backtracking would be minutes
