"""The engine's outputs, byte for byte, against tests/golden_engine.jsonl.

Cold caches, warm caches and another input order must all give the same bytes: the
caches of the walk are an optimisation, never a change of output. After an intended
change of outputs: `python -m tests.golden --update` (see tests/golden.py).
"""

from __future__ import annotations

import difflib

import orjson
import pytest

from tests import golden

_ITEMS = list(golden.inputs())


@pytest.fixture(scope="module")
def expected() -> dict[tuple[str, int], dict[str, object]]:
    return golden.load()


def _check(lines: dict[tuple[str, int], bytes],
           expected: dict[tuple[str, int], dict[str, object]]) -> None:
    assert set(lines) == set(expected), "inputs changed: run python -m tests.golden --update"
    changed = [key for key, line in lines.items() if golden.digest(line) != expected[key]["sha256"]]
    if not changed:
        return
    report = [f"{len(changed)} of {len(lines)} results changed, first: {changed[:10]}"]
    for key in changed:
        if "clear" in expected[key]:  # show one diff where the golden line is kept in clear
            old = orjson.dumps(expected[key]["clear"], option=orjson.OPT_INDENT_2).decode()
            new = orjson.dumps(orjson.loads(lines[key]), option=orjson.OPT_INDENT_2).decode()
            report += [f"{key}:", *difflib.unified_diff(old.splitlines(), new.splitlines(),
                                                        lineterm="", n=1)]
            break
    pytest.fail("\n".join(report) + "\nif intended: python -m tests.golden --update")


def test_golden_file_covers_every_mix_and_outcome(
        expected: dict[tuple[str, int], dict[str, object]]) -> None:
    assert {mix for mix, _ in expected} == {"web", "nested", "edge"}
    outcomes = {str(entry["clear"]["outcome"])  # type: ignore[index]
                for entry in expected.values() if "clear" in entry}
    assert outcomes == {"analytics", "deadletter", "dropped"}


def test_cold_then_warm_engine_gives_the_golden_bytes(
        expected: dict[tuple[str, int], dict[str, object]]) -> None:
    engine = golden.golden_engine()
    _check(golden.outputs(engine, _ITEMS), expected)  # every cache empty
    _check(golden.outputs(engine, _ITEMS), expected)  # every cache warm


def test_another_order_gives_the_golden_bytes(
        expected: dict[tuple[str, int], dict[str, object]]) -> None:
    # Shapes first seen in another order must not change what a cache holds.
    _check(golden.outputs(golden.golden_engine(), _ITEMS[::-1]), expected)
