"""The downstream contract's compatibility check: current schemas against their baselines.

A contract schema carries `x-logwarden-version` (and `x-logwarden-topic`, the topic it
describes). `schemas/baselines/<name>.v<version>.json` is the snapshot consumers were
promised. A change breaks them when it removes a field, stops requiring one, changes a
field's type, or removes a value from an enum; adding optional fields and enum values
does not (consumers ignore fields and codes they do not know). A breaking change is a new
version in a new file, published on a new topic (README: "The downstream contract").

`python -m schemas.compat` prints every breaking change (exit 1);
`python -m schemas.compat --snapshot` writes the baselines that are missing, never
overwriting one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redactors import codec

__all__ = ["BASELINES", "SCHEMAS", "breaking_changes", "check", "contract", "snapshot"]

SCHEMAS = Path(__file__).resolve().parent
BASELINES = SCHEMAS / "baselines"
VERSION = "x-logwarden-version"

Schema = dict[str, Any]


def _types(node: Schema) -> frozenset[str] | None:
    kind = node.get("type")
    if kind is None:
        return None
    return frozenset([kind] if isinstance(kind, str) else kind)


def _enum(node: Schema) -> list[Any] | None:
    if "const" in node:
        return [node["const"]]
    enum = node.get("enum")
    return list(enum) if isinstance(enum, list) else None


def breaking_changes(old: Schema, new: Schema, path: str = "") -> Iterator[str]:
    """What `new` breaks for consumers of `old`, one line per problem, by JSON path."""
    where = path or "(root)"
    old_types, new_types = _types(old), _types(new)
    if old_types != new_types:
        yield f"{where}: retyped: {_name(old_types)} -> {_name(new_types)}"
    old_enum, new_enum = _enum(old), _enum(new)
    if old_enum is not None and new_enum is not None:
        removed = [v for v in old_enum if v not in new_enum]
        if removed:
            yield f"{where}: enum narrowed: {removed} removed"
    elif old_enum is None and new_enum is not None:
        yield f"{where}: enum narrowed: any value -> {new_enum}"
    for field in sorted(set(old.get("required", ())) - set(new.get("required", ()))):
        yield f"{_join(path, field)}: no longer required"
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for field, node in old_props.items():
        if field not in new_props:
            yield f"{_join(path, field)}: removed"
        else:
            yield from breaking_changes(node, new_props[field], _join(path, field))
    if isinstance(old.get("items"), dict):
        new_items = new.get("items")
        if not isinstance(new_items, dict):
            yield f"{path}[]: items removed"
        else:
            yield from breaking_changes(old["items"], new_items, f"{path}[]")


def _join(path: str, field: str) -> str:
    return f"{path}.{field}" if path else field


def _name(types: frozenset[str] | None) -> str:
    return "/".join(sorted(types)) if types is not None else "any"


def _baseline_name(schema_file: str, version: int) -> str:
    """`analytics-event.schema.json` (v1) and `analytics-event.v2.schema.json` (v2) ->
    `analytics-event.v1.json`, `analytics-event.v2.json`."""
    stem = schema_file.removesuffix(".schema.json").removesuffix(f".v{version}")
    return f"{stem}.v{version}.json"


def _load(path: Path) -> Schema:
    loaded = codec.loads(path.read_bytes())
    if not isinstance(loaded, dict):
        raise ValueError(f"{path.name}: not a JSON object")
    return loaded


def contract(schemas: Path = SCHEMAS) -> dict[str, Schema]:
    """The contract schemas by file name: those that carry a version."""
    found = {path.name: _load(path) for path in sorted(schemas.glob("*.schema.json"))}
    return {name: schema for name, schema in found.items() if VERSION in schema}


def check(schemas: Path = SCHEMAS, baselines: Path = BASELINES) -> list[str]:
    """Every breaking change, missing baseline and removed schema, one line each."""
    current = contract(schemas)
    problems: list[str] = []
    wanted = {_baseline_name(name, schema[VERSION]): name for name, schema in current.items()}
    for baseline_name, name in sorted(wanted.items()):
        if not (baselines / baseline_name).is_file():
            problems.append(f"{name}: no baseline {baseline_name} "
                            "(python -m schemas.compat --snapshot)")
    for path in sorted(baselines.glob("*.json")):
        current_name = wanted.get(path.name)
        if current_name is None:
            problems.append(f"{path.name}: its schema or version is gone; a breaking change "
                            "is a new file and topic, and the old baseline goes with the old "
                            "topic")
            continue
        problems += [f"{current_name}: {line}"
                     for line in breaking_changes(_load(path), current[current_name])]
    return problems


def snapshot(schemas: Path = SCHEMAS, baselines: Path = BASELINES) -> list[Path]:
    """Write the missing baselines (a new contract schema or version); the files written."""
    baselines.mkdir(exist_ok=True)
    written = []
    for name, schema in contract(schemas).items():
        target = baselines / _baseline_name(name, schema[VERSION])
        if not target.exists():
            target.write_text(codec.pretty(schema) + "\n", "utf-8")
            written.append(target)
    return written


def main(argv: list[str]) -> int:
    if argv == ["--snapshot"]:
        for path in snapshot():
            print(f"wrote {path.relative_to(SCHEMAS.parent)}")
        return 0
    problems = check()
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
