"""The optional NER pass degrades to context rules when no spaCy model is installed."""

from __future__ import annotations

import pytest

from redactors.ner import NameRecognizer
from redactors.scanner import FreeTextScanner


def test_missing_model_warns_and_finds_nothing() -> None:
    with pytest.warns(RuntimeWarning, match="no spaCy English pipeline"):
        recognizer = NameRecognizer(models=("no_such_model_pkg",))
    assert not recognizer.available
    assert recognizer.find("Alice Example met Bob") == []


def test_scanner_with_ner_but_no_model_keeps_working() -> None:
    with pytest.warns(RuntimeWarning):
        scanner = FreeTextScanner(ner=True)  # no official model is installable here
    assert scanner.redact("Dear Maria Garcia, hi") == ("Dear <PERSON>, hi", {"PERSON"})
