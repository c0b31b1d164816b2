"""The optional NER pass degrades to context rules when no spaCy model is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from redactors.ner import MODEL_CANDIDATES, NameRecognizer, is_prose
from redactors.scanner import FreeTextScanner


def test_missing_model_warns_and_finds_nothing() -> None:
    with pytest.warns(RuntimeWarning, match="no spaCy English pipeline"):
        recognizer = NameRecognizer(models=("no_such_model_pkg",))
    assert not recognizer.available
    assert recognizer.find("Alice Example met Bob") == []


def test_scanner_with_ner_but_no_model_keeps_working(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",  # as without the `ner` extra
                        lambda name, *a: None if name in MODEL_CANDIDATES
                        else real_find_spec(name, *a))
    with pytest.warns(RuntimeWarning):
        scanner = FreeTextScanner(ner=True)  # no official model is installable here
    assert scanner.redact("Dear Maria Garcia, hi") == ("Dear <PERSON>, hi", {"PERSON"})


def _fake_recognizer(monkeypatch: pytest.MonkeyPatch) -> NameRecognizer:
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
    return NameRecognizer(models=("fake_model",))


@pytest.mark.parametrize(
    ("text", "prose"),
    [
        ("Ticket opened by Ada Lovelace for billing", True),
        ("Dear Maria, your order has shipped.", True),
        ("081109 203807 222 INFO dfs.DataNode$PacketResponder: blk_-1608999687919862906", False),
        ("GET /api/v1/users/42 200 1532", False),
        ("Hello Ada", False),  # too short to be prose
    ],
)
def test_is_prose(text: str, prose: bool) -> None:
    assert is_prose(text) is prose


def test_model_runs_on_prose_once_per_nameless_template(monkeypatch: pytest.MonkeyPatch) -> None:
    recognizer = _fake_recognizer(monkeypatch)
    assert recognizer.find("Job 17 finished on Node Alpha after 2 retries") == []
    assert recognizer.find("Job 91 finished on Node Alpha after 5 retries") == []
    assert (recognizer.model_calls, recognizer.template_hits) == (1, 1)
    # one capitalized word that no person word introduces: a component, not a name
    assert recognizer.find("Starting the TrustedInstaller main loop now") == []
    assert recognizer.model_calls == 1
    # another word of letters is another template: the model runs again and finds the name
    assert recognizer.find("Job 91 finished for Ada Lovelace after 5 retries") == [(20, 32, 0.85)]
    assert recognizer.find("Job 92 finished for Ada Lovelace after 6 retries") == [(20, 32, 0.85)]
    assert recognizer.model_calls == 3  # templates with a name are never skipped
    assert recognizer.find("/var/log/Ada 17 18 19 20") == []  # not prose: no call
    assert recognizer.model_calls == 3


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


def test_the_policy_turns_the_ner_stage_on(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    import importlib.util

    import spacy

    from redactors.engine import load_engine
    from redactors.keys import InMemoryKeyProvider
    from redactors.policy import default_policy_path
    from redactors.scanner import FreeTextScanner

    installed = MODEL_CANDIDATES[0]  # as if the `ner` extra had installed it
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "PERSON", "pattern": "Ada Lovelace"}])
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object()
                        if name == installed else real_find_spec(name, *a))
    monkeypatch.setattr(spacy, "load", lambda name, **_: nlp)
    text = default_policy_path().read_text(encoding="utf-8")
    for setting, model in (("false", None), ("true", installed)):
        policy = tmp_path / f"ner-{setting}.yaml"
        policy.write_text(text.replace("  ner: false\n", f"  ner: {setting}\n"), encoding="utf-8")
        engine = load_engine(str(policy), InMemoryKeyProvider(), {}, allow_ephemeral=True)
        assert isinstance(engine.scanner, FreeTextScanner)
        assert engine.scanner.ner_model == model
