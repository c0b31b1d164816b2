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


def test_installed_pipeline_adds_person_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    import spacy

    nlp = spacy.blank("en")  # a real pipeline whose NER is a rule: no model to download
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Ada Lovelace"}])
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: object() if name == "fake_model" else real_find_spec(name, *a),
    )
    monkeypatch.setattr(spacy, "load", lambda name, **_: nlp)
    recognizer = NameRecognizer(models=("fake_model",))
    assert recognizer.available
    assert recognizer.model == "fake_model"
    text = "report written by Ada Lovelace today"
    assert recognizer.find(text) == [(18, 30, 0.85)]
    assert recognizer.find("no capitalized words here") == []
