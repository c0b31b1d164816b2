"""benchmarks.corpus_nested: deterministic, nested, and its labels point at what they name."""

from __future__ import annotations

import orjson

from benchmarks.bench_engine import variants
from benchmarks.corpus_nested import generate_nested


def test_same_seed_same_events() -> None:
    first, again = generate_nested(100, seed=3), generate_nested(100, seed=3)
    assert [e.event for e in first] == [e.event for e in again]
    assert [e.event for e in generate_nested(100, seed=4)] != [e.event for e in first]


def test_events_are_nested_with_arrays_and_free_text() -> None:
    events = generate_nested(500, seed=5)
    sizes = [len(orjson.dumps(e.event)) for e in events]
    assert 400 < sum(sizes) / len(sizes) < 800
    assert all(isinstance(e.event["user"], dict) and isinstance(e.event["items"], list)
               for e in events)
    assert any("error" in e.event for e in events)
    assert any("error" not in e.event for e in events)


def test_every_labeled_value_is_in_its_event() -> None:
    for labeled in generate_nested(300, seed=6):
        text = orjson.dumps(labeled.event).decode().lower()
        for entity, value in labeled.pii:
            assert any(form in text for form in variants(value)), (entity, value)
