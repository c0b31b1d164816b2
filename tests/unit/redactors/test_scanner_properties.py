"""Property tests: generated PII in random surroundings is found and never survives redact."""

from __future__ import annotations

import itertools
import json
import random
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.pii_values import GENERATORS
from redactors.scanner import FreeTextScanner

SCANNER = FreeTextScanner()

# How each entity is usually written in a log line; the rest stand alone.
CONTEXT = {
    "BEARER_TOKEN": "Authorization: Bearer {}",
    "SECRET": "password={}",
    "SESSION_TOKEN": "session_id={}",
    "URL_CREDENTIALS": "https://{}@db.example.com/x",
    "PERSON": "Dear {},",
}
WORDS = ["GET", "/api/v1/items", "200", "took", "12ms", "user", "ok", "error:", "retry",
         "2024-01-15T12:30:45Z", "v1.2.3", "id=42", "[main]", "INFO", "->", "done."]  # fmt: skip
SEPARATORS = [" ", ", ", " (", ") ", "; ", "\n", "\t", " | ", ' "']

surroundings = st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
separators = st.sampled_from(SEPARATORS)
entities = st.sampled_from(sorted(GENERATORS))


def _value(entity: str, seed: int) -> str:
    return GENERATORS[entity](random.Random(seed))


def _forms(value: str) -> set[str]:
    """The spellings of `value` that must not appear in redacted output."""
    forms = {value, value.lower(), value.upper(), urllib.parse.quote(value, safe="")}
    forms.add(json.dumps(value)[1:-1])
    return {f for f in forms if len(f) >= 4}


def _embed(entity: str, written: str, before: str, sep1: str, sep2: str, after: str) -> str:
    return before + sep1 + CONTEXT.get(entity, "{}").format(written) + sep2 + after


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entities, st.integers(0, 2**32), surroundings, separators, separators, surroundings)
def test_generated_pii_is_found_and_redacted(
    entity: str, seed: int, before: str, sep1: str, sep2: str, after: str
) -> None:
    value = _value(entity, seed)
    text = _embed(entity, value, before, sep1, sep2, after)
    redacted, found = SCANNER.redact(text)
    assert entity in found
    for form in _forms(value):
        assert form not in redacted
    assert SCANNER.find(redacted) == []  # placeholders are not personal data


@settings(max_examples=300, deadline=None)
@given(entities, st.integers(0, 2**32), surroundings, surroundings)
def test_url_escaped_pii_is_redacted(entity: str, seed: int, before: str, after: str) -> None:
    value = _value(entity, seed)
    escaped = urllib.parse.quote(value, safe="")
    text = _embed(entity, escaped, before, " ", " ", after)
    redacted, _ = SCANNER.redact(text)
    for form in _forms(value):
        assert form not in redacted


@pytest.mark.parametrize(
    "entity", ["EMAIL_ADDRESS", "IBAN_CODE", "MAC_ADDRESS", "IP_ADDRESS", "API_KEY"]
)
@given(seed=st.integers(0, 2**32), upper=st.booleans())
@settings(max_examples=60, deadline=None)
def test_case_changed_pii_is_redacted(entity: str, seed: int, upper: bool) -> None:
    value = _value(entity, seed)
    written = value.upper() if upper else value.lower()
    if entity == "API_KEY" and written != value:
        return  # vendor key prefixes are case-sensitive by definition (AKIA, sk_live_)
    redacted, found = SCANNER.redact(f"seen {written} today")
    assert found == {entity}
    assert written not in redacted


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_redact_never_crashes_and_findings_are_disjoint(text: str) -> None:
    findings = SCANNER.find(text)
    assert all(0 <= f.start < f.end <= len(text) for f in findings)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
