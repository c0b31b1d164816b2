"""Walk plans: straight-line code for one object shape, compiled once it recurs.

An object shape is its key tuple under one field path. Its plan unpacks the values by
position, checks that each has the type seen when the plan was made, and then does for
each field what the generic walk in `redactors.treat` would do, without the per-field
lookups and branches. A value of another type makes the plan return None and the generic
walk runs instead, so a plan changes no output (tests/golden.py pins that).

Field names are attacker-controlled: they never enter the generated source, which names
every field by its position only; names, nodes and transforms are passed as constants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redactors.errors import EventError
from redactors.transforms import DROP

__all__ = ["Plan", "compile_plan"]

Plan = Callable[[dict[str, Any], Any, int], "dict[str, Any] | None"]

_BIG_INT = 10**7  # as in redactors.treat: integers this long are scanned


def _reraise(exc: EventError, category: str, dotted: str) -> EventError:
    return EventError(f"{exc.reason}:{category}", dotted)


def compile_plan(values: list[Any], nodes: list[Any], *, obj: Callable[..., Any],
                 other: Callable[..., Any], apply: Callable[..., Any],
                 scan: Callable[..., Any], text_cache: dict[str, Any]) -> Plan:
    """A plan for objects with these children (`nodes`, trie nodes of redactors.treat),
    specialised to the types of `values`, one object of the shape."""
    consts: dict[str, Any] = {
        "__builtins__": {}, "type": type, "DROP": DROP, "EventError": EventError,
        "reraise": _reraise, "BIG": _BIG_INT, "obj": obj, "other": other, "apply": apply,
        "scan": scan, "cache_get": text_cache.get,
    }
    names = ", ".join(f"v{i}" for i in range(len(values)))
    guards: list[str] = []
    body: list[str] = []
    categories: set[str] = set()
    labels: set[str] = set()
    for i, (value, node) in enumerate(zip(values, nodes, strict=True)):
        kind = type(value)
        consts.update({f"K{i}": node.out_key, f"N{i}": node.shape[-1], f"C{i}": node,
                       f"T{i}": node.transform, f"D{i}": node.dotted,
                       f"G{i}": node.category, f"P{i}": node.plan, f"X{i}": kind})
        v, k = f"v{i}", f"K{i}"
        guards.append(f"{v} is None" if value is None else f"type({v}) is X{i}")
        if node.plan is not None and value is None:
            continue  # a classified field that is null: nothing to record or write
        if node.plan is not None and kind in (dict, list) and (kind is list or node.whole):
            body.append(f"apply(P{i}, N{i}, {v}, C{i}, state, out, depth)")
            continue
        if node.plan is not None and kind not in (dict, list):
            categories.add(node.category)
            labels.add(node.label)
            if node.keep:
                body.append(f"ident[D{i}] = {v}")
            if node.transform is None:
                continue
            body += ["try:", f"    t = T{i}({v}, N{i}, day)",
                     "except EventError as exc:", f"    raise reraise(exc, G{i}, D{i}) from None",
                     f"if t is not DROP: out[{k}] = t"]
        elif kind is str:
            body += [f"if {v}:",
                     f"    c = cache_get({v})",
                     f"    if c is not None and not c[1]: out[{k}] = c[0]",
                     "    else:",
                     f"        t = scan({v}, state)",
                     f"        if t is not DROP: out[{k}] = t",
                     f"else: out[{k}] = {v}"]
        elif kind is dict:
            body.append(f"out[{k}] = obj({v}, C{i}, state, depth + 1)")
        elif kind is int:
            body += [f"if {v} >= BIG or {v} <= -BIG:",
                     f"    t = other({v}, N{i}, C{i}, state, depth)",
                     f"    if t is not DROP: out[{k}] = t",
                     f"else: out[{k}] = {v}"]
        elif kind is float or kind is bool or value is None:
            body.append(f"out[{k}] = {v}")
        else:
            body += [f"t = other({v}, N{i}, C{i}, state, depth)",
                     f"if t is not DROP: out[{k}] = t"]
    consts["CATEGORIES"] = frozenset(categories)
    consts["LABELS"] = frozenset(labels)
    lines = [
        "def plan(node, state, depth):",
        f"    {names}, = node.values()",
        f"    if not ({' and '.join(guards)}):",
        "        return None",
        "    out = {}",
        "    day = state.day",
        "    ident = state.identifiable",
    ]
    if categories:
        lines += ["    state.categories.update(CATEGORIES)", "    state.transforms.update(LABELS)"]
    lines += [f"    {line}" for line in body]
    lines.append("    return out")
    # The source holds positions and fixed text only, never a field name or value.
    exec(compile("\n".join(lines), "<walk plan>", "exec"), consts)  # noqa: S102
    plan: Plan = consts["plan"]
    return plan
