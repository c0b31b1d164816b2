"""benchmarks.corpus: deterministic, and its labels point at what they name."""

from __future__ import annotations

import urllib.parse

from benchmarks.corpus import generate


def test_same_seed_same_events() -> None:
    first, again = generate(200, seed=3), generate(200, seed=3)
    assert [e.event for e in first] == [e.event for e in again]
    assert [e.event for e in generate(200, seed=4)] != [e.event for e in first]


def test_message_spans_hold_their_labeled_values() -> None:
    for labeled in generate(500, seed=5):
        message = labeled.event["message"]
        values = {value.lower() for _, value in labeled.pii}
        for start, end, entity in labeled.message_spans:
            written = message[start:end]
            spellings = {written, urllib.parse.unquote(written), urllib.parse.unquote_plus(written)}
            assert {s.lower() for s in spellings} & values, (entity, written)


def test_about_a_fifth_of_messages_carry_pii() -> None:
    events = generate(2000, seed=6)
    share = sum(1 for e in events if e.message_spans) / len(events)
    assert 0.15 < share < 0.25
