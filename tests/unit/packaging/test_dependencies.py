"""Every package the code imports is declared in pyproject.toml (not merely installed)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
# `probe` is deploy/kafka/probe.py, put on sys.path by tests/conftest.py.
OURS = {"redactors", "schemas", "streams", "benchmarks", "tests", "deploy", "probe"}
# The shipped packages may use the runtime dependencies and the optional extras (`ner`);
# tests, benchmarks and deploy scripts may also use the `test` extra.
SHIPPED = ("redactors", "schemas", "streams")
TOOLING = ("tests", "benchmarks", "deploy")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(*extras: str) -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {_normalize(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) for r in requirements}


def _imported(folder: str) -> dict[str, str]:
    """Top-level module -> the first file importing it, for absolute imports under folder."""
    found: dict[str, str] = {}
    for path in sorted((REPO / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in OURS:
                    found.setdefault(top, str(path.relative_to(REPO)))
    return found


def _undeclared(folders: tuple[str, ...], declared: set[str]) -> list[str]:
    owners = packages_distributions()
    problems = []
    for folder in folders:
        for module, where in sorted(_imported(folder).items()):
            dists = {_normalize(d) for d in owners.get(module, [])}
            if not dists & declared:
                problems.append(f"{where}: imports {module} "
                                f"({', '.join(sorted(dists)) or 'no installed distribution'})")
    return problems


def test_shipped_packages_import_only_declared_dependencies() -> None:
    assert _undeclared(SHIPPED, _declared("ner")) == []


def test_tests_and_tools_import_only_declared_dependencies() -> None:
    assert _undeclared(TOOLING, _declared("ner", "test")) == []


@pytest.mark.parametrize(("requirement", "name"), [
    ("google-re2>=1.1,<2", "google-re2"),
    ("ua-parser[regex]>=1.0,<2", "ua-parser"),
    ("Faker>=30,<41", "faker"),
    ("en_core_web_sm==3.8.0", "en-core-web-sm"),
])
def test_requirement_names_are_normalized(requirement: str, name: str) -> None:
    assert _normalize(re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]) == name
