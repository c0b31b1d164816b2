"""The downstream contract: current schemas against the committed baselines (CI guard),
and the rules of the check, each with a row that breaks and one that does not."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from schemas.compat import BASELINES, SCHEMAS, breaking_changes, check, contract, snapshot

ANALYTICS = json.loads((SCHEMAS / "analytics-event.schema.json").read_text())


def test_current_schemas_keep_the_promises_of_their_baselines() -> None:
    assert check() == []


def test_the_contract_covers_analytics_deadletter_and_receipts() -> None:
    topics = {s["x-logwarden-topic"] for s in contract().values()}
    assert {"logs.analytics", "logs.deadletter", "privacy.receipts"} <= topics
    assert len(list(BASELINES.glob("*.json"))) == len(contract())


def _privacy(schema: dict[str, Any]) -> dict[str, Any]:
    return schema["properties"]["_privacy"]  # type: ignore[no-any-return]


def _remove_field(s: dict[str, Any]) -> None:
    del _privacy(s)["properties"]["gpc"]


def _unrequire(s: dict[str, Any]) -> None:
    _privacy(s)["required"].remove("policy")


def _retype(s: dict[str, Any]) -> None:
    _privacy(s)["properties"]["gpc"]["type"] = "string"


def _nullable(s: dict[str, Any]) -> None:
    _privacy(s)["properties"]["policy"]["type"] = ["string", "null"]


def _narrow_enum(s: dict[str, Any]) -> None:
    _privacy(s)["properties"]["tier"]["enum"].remove("none")


def _retype_items(s: dict[str, Any]) -> None:
    _privacy(s)["properties"]["categories"]["items"]["type"] = "integer"


def _add_field(s: dict[str, Any]) -> None:
    _privacy(s)["properties"]["region_opt_out"] = {"type": "boolean"}


def _widen_enum(s: dict[str, Any]) -> None:
    _privacy(s)["properties"]["tier"]["enum"].append("minimal")


def _describe(s: dict[str, Any]) -> None:
    s["description"] = "reworded"


@pytest.mark.parametrize(("change", "expected"), [
    (_remove_field, ["_privacy.gpc: removed"]),
    (_unrequire, ["_privacy.policy: no longer required"]),
    (_retype, ["_privacy.gpc: retyped: boolean -> string"]),
    (_nullable, ["_privacy.policy: retyped: string -> null/string"]),
    (_narrow_enum, ["_privacy.tier: enum narrowed: ['none'] removed"]),
    (_retype_items, ["_privacy.categories[]: retyped: string -> integer"]),
    (_add_field, []),
    (_widen_enum, []),
    (_describe, []),
])
def test_breaking_changes(change: Callable[[dict[str, Any]], None], expected: list[str]) -> None:
    new = copy.deepcopy(ANALYTICS)
    change(new)
    assert list(breaking_changes(ANALYTICS, new)) == expected


def _copy_schemas(tmp_path: Path) -> tuple[Path, Path]:
    schemas, baselines = tmp_path / "schemas", tmp_path / "baselines"
    schemas.mkdir()
    for name in contract():
        (schemas / name).write_text((SCHEMAS / name).read_text())
    snapshot(schemas, baselines)
    return schemas, baselines


def test_a_breaking_edit_fails_and_a_new_version_needs_its_own_file(tmp_path: Path) -> None:
    schemas, baselines = _copy_schemas(tmp_path)
    assert check(schemas, baselines) == []
    path = schemas / "analytics-event.schema.json"
    edited = json.loads(path.read_text())
    _narrow_enum(edited)
    path.write_text(json.dumps(edited))
    assert check(schemas, baselines) == [
        "analytics-event.schema.json: _privacy.tier: enum narrowed: ['none'] removed"]
    edited["x-logwarden-version"] = 2  # bumping in place drops v1 while consumers use it
    path.write_text(json.dumps(edited))
    problems = check(schemas, baselines)
    assert any(p.startswith("analytics-event.v1.json: its schema or version is gone")
               for p in problems)
    assert any("no baseline analytics-event.v2.json" in p for p in problems)


def test_a_breaking_change_as_a_new_version_passes(tmp_path: Path) -> None:
    schemas, baselines = _copy_schemas(tmp_path)
    v2 = copy.deepcopy(ANALYTICS)
    _narrow_enum(v2)
    v2["x-logwarden-version"], v2["x-logwarden-topic"] = 2, "logs.analytics.v2"
    (schemas / "analytics-event.v2.schema.json").write_text(json.dumps(v2))
    assert [p.name for p in snapshot(schemas, baselines)] == ["analytics-event.v2.json"]
    assert check(schemas, baselines) == []


def test_snapshot_never_overwrites_a_baseline(tmp_path: Path) -> None:
    schemas, baselines = _copy_schemas(tmp_path)
    before = (baselines / "receipt.v1.json").read_text()
    (schemas / "receipt.schema.json").write_text(json.dumps({"x-logwarden-version": 1}))
    assert snapshot(schemas, baselines) == []
    assert (baselines / "receipt.v1.json").read_text() == before


@pytest.mark.parametrize("reason", ["invalid_json", "budget_exceeded",
                                    "engine_error:RecursionError", "unroutable_result"])
def test_deadletter_headers_match_their_schema(reason: str) -> None:
    from jsonschema import Draft202012Validator

    from redactors.result import Outcome, RoutedResult
    from streams.records import SourceRef, records_for

    schema = json.loads((SCHEMAS / "deadletter-headers.schema.json").read_text())
    [record] = records_for(RoutedResult(outcome=Outcome.DEADLETTER, reason=reason), b"raw",
                           SourceRef("logs.raw", 3, 41))
    Draft202012Validator(schema).validate({k: v.decode() for k, v in record.headers})
