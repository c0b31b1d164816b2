"""The export document: decrypted identifiable records plus consent, requests, receipts."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from redactors.export import EXPORT_FORMAT, HeldRecord, build_export

KEY = b"k" * 32


def fake_decrypt(record: dict[str, Any], key: bytes) -> dict[str, Any]:
    if key != KEY or record.get("broken"):
        raise ValueError("tag mismatch")
    return {"plain": record["cipher"][::-1]}


def held(topic: str, offset: int, value: dict[str, Any] | None) -> HeldRecord:
    return HeldRecord(topic=topic, partition=2, offset=offset, timestamp_ms=1_764_072_000_000,
                      value=value)


def export(key: bytes | None) -> dict[str, Any]:
    return build_export(
        subject_id="u1", generated_at="2026-11-25T12:00:00Z", key_for=lambda _record: key,
        decrypt=fake_decrypt,
        identifiable=[held("logs.identifiable", 1, {"cipher": "cba"}),
                      held("logs.identifiable", 2, {"cipher": "x", "broken": True}),
                      held("logs.identifiable", 3, None)],
        consent=[held("privacy.consent", 5, {"analytics": True}),
                 held("privacy.consent", 6, None)],
        requests=[held("privacy.requests", 7, {"type": "access"})],
        receipts=[held("privacy.receipts", 8, {"status": "completed"})],
        sources={"identifiable": {"topic": "logs.identifiable", "partitions": [2]}},
    )


def test_export_decrypts_and_counts_what_it_cannot():
    doc = export(KEY)
    assert doc["format"] == EXPORT_FORMAT
    assert [r["record"] for r in doc["identifiable_records"]] == [{"plain": "abc"}]
    assert doc["identifiable_records"][0]["timestamp"].endswith("Z")
    assert doc["undecryptable_records"] == 1
    assert [c["deleted"] for c in doc["consent_history"]] == [False, True]
    assert doc["requests"][0]["request"] == {"type": "access"}
    assert doc["receipts"][0]["receipt"] == {"status": "completed"}


def test_export_matches_its_published_schema():
    schema = json.loads(resources.files("schemas").joinpath("export.schema.json").read_text())
    Draft202012Validator(schema).validate(export(KEY))


def test_without_a_key_nothing_is_decrypted():
    doc = export(None)
    assert doc["identifiable_records"] == []
    assert doc["undecryptable_records"] == 2
