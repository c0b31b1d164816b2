"""Walking one event: each field classified (cached per path) and treated for one tier."""

from __future__ import annotations

import re
from typing import Any

from redactors.classify import FieldClassifier
from redactors.errors import EventError
from redactors.findings import TextScanner
from redactors.geo import GeoCoarsen
from redactors.parsing import shape_of
from redactors.paths import ITEM
from redactors.textlog import scrub_home_dirs
from redactors.transforms import DROP, Transform
from redactors.walkplan import Plan, compile_plan

__all__ = ["FieldPlan", "TreatState", "Treater"]

_BIG_INT = 10**7  # integers this long may be phone, card or account numbers: scan them
_NODE_LIMIT = 200_000  # field paths are attacker-controlled: bound what we remember
_TEXT_CACHE_LIMIT = 65_536
_TEXT_CACHE_MAX_LEN = 512
_CONTAINERS = (dict, list)
_KEY_NEEDS_SCAN = re.compile(r"[0-9@:%+ ]|[A-Z][a-z]+ [A-Z]")
_PLAN_AFTER = 4  # an object shape gets a walk plan on its 4th sight: one-off shapes never do
_PLANS_PER_NODE = 16  # shapes tracked per field path (keys are attacker-controlled)
_PLAN_MAX_KEYS = 64
# Compiling costs 0.5-2.5 ms: 64 plans at once, then one per 2,000 events, so that shapes
# made up to recur (attacker-controlled) cost at most ~1 µs an event on average.
_PLANS_AT_START = 64
_EVENTS_PER_PLAN = 2_000


class FieldPlan:
    """What one category does for one tier: the analytics transform, and whether the
    identifiable record keeps the raw value (encrypted)."""

    __slots__ = ("analytics", "category", "container_aware", "identifiable_keep",
                 "whole_objects")

    def __init__(self, category: str, analytics: Transform | None, keep: bool) -> None:
        self.category = category
        self.analytics = analytics  # None: dropped from analytics
        self.identifiable_keep = keep
        # Location objects are coarsened whole; any other object under a classified name
        # (a `request` or `user` object) is walked so that each of its fields is classified.
        self.container_aware = isinstance(analytics, GeoCoarsen)
        # A dropped category drops its objects whole: `password: {old, new}` must not be
        # walked field by field into analytics.
        self.whole_objects = self.container_aware or analytics is None


class TreatState:
    """What one event's walk collected."""

    __slots__ = ("categories", "day", "identifiable", "keys", "transforms")

    def __init__(self, day: str) -> None:
        self.day = day
        self.keys = 0
        self.categories: set[str] = set()
        self.transforms: set[str] = set()
        self.identifiable: dict[str, Any] = {}


class _Node:
    """One field path seen before, with its plan resolved (a trie: no tuples per field).

    The plan's parts are copied onto the node: the walk reads them once per field.
    """

    __slots__ = ("category", "children", "dotted", "keep", "label", "out_key", "plan",
                 "plans", "shape", "transform", "whole")

    def __init__(self, shape: tuple[str, ...], plan: FieldPlan | None, out_key: str) -> None:
        self.shape = shape
        self.dotted = ".".join(shape)
        self.plan = plan
        self.out_key = out_key  # the key as analytics may show it: scanned like a value
        self.children: dict[str, _Node] = {}
        self.category = plan.category if plan is not None else ""
        self.transform = plan.analytics if plan is not None else None
        self.label = self.transform.label if self.transform is not None else "drop"
        self.keep = plan is not None and plan.identifiable_keep
        self.whole = plan is not None and plan.whole_objects
        # Object shapes seen at this path: sightings so far, then the compiled plan.
        self.plans: dict[tuple[str, ...], int | Plan] = {}


class Treater:
    """Treats whole events for one consent tier."""

    def __init__(self, plans: dict[str, FieldPlan], classifier: FieldClassifier,
                 scanner: TextScanner, entity_category: dict[str, str], *,
                 scan_strings: bool, max_depth: int) -> None:
        self._plans = plans
        self._classifier = classifier
        self._scanner = scanner
        self._entity_category = entity_category
        self._scan_strings = scan_strings
        self._max_depth = max_depth
        self._text_cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._events = 0
        self._compiled = 0
        self._reset()

    def _reset(self) -> None:
        self._root = _Node((), None, "")
        self._nodes = 0

    def treat(self, event: dict[str, Any], state: TreatState) -> dict[str, Any]:
        """The analytics form of `event`; fills `state`. Raises EventError to dead-letter."""
        self._events += 1
        if self._nodes > _NODE_LIMIT:
            self._reset()
        return self._object(event, self._root, state, 1)

    def _child(self, parent: _Node, key: str) -> _Node:
        shape = (*parent.shape, key)
        category = self._classifier.classify(shape)
        # Keys can be personal data too (`{"alice@example.com": 3}`); scanned once per path.
        out_key = self._scanner.redact(key)[0] if _KEY_NEEDS_SCAN.search(key) else key
        node = _Node(shape, self._plans[category] if category is not None else None, out_key)
        parent.children[key] = node
        self._nodes += 1
        return node

    def _object(self, node: dict[str, Any], trie: _Node, state: TreatState,
                depth: int) -> dict[str, Any]:
        if depth > self._max_depth:
            raise EventError("too_deep")
        state.keys += len(node)
        # A recurring shape runs its compiled plan (redactors/walkplan.py): the same
        # steps as the loop below, which must stay in step with it.
        shape = tuple(node)
        plan = trie.plans.get(shape)
        if plan is None or type(plan) is int:
            self._sighted(trie, node, shape, plan)
        else:
            planned = plan(node, state, depth)  # type: ignore[operator]
            if planned is not None:
                return planned  # else a value of another type: the walk below
        out: dict[str, Any] = {}
        children = trie.children
        day = state.day
        add_category = state.categories.add
        add_transform = state.transforms.add
        text_cache = self._text_cache
        for key, value in node.items():
            child = children.get(key)
            if child is None:
                child = self._child(trie, key)
            kind = type(value)
            if child.plan is not None:
                if kind is dict or kind is list:
                    if kind is list or child.whole:
                        self._apply(child.plan, key, value, child, state, out, depth)
                        continue
                elif value is not None:
                    # The common case inlined: one scalar in a classified field.
                    add_category(child.category)
                    if child.keep:
                        state.identifiable[child.dotted] = value
                    transform = child.transform
                    if transform is None:
                        add_transform("drop")
                        continue
                    try:
                        treated = transform(value, key, day)
                    except EventError as exc:
                        raise EventError(f"{exc.reason}:{child.category}",
                                         child.dotted) from None
                    add_transform(child.label)
                    if treated is not DROP:
                        out[child.out_key] = treated
                    continue
                else:
                    continue
            if kind is str:
                if value:
                    cached = text_cache.get(value)
                    if cached is not None and not cached[1]:
                        out[child.out_key] = cached[0]
                    else:
                        treated = self._scan(value, state)
                        if treated is not DROP:  # `unclassified.strings: drop`
                            out[child.out_key] = treated
                else:
                    out[child.out_key] = value
            elif kind is dict:
                out[child.out_key] = self._object(value, child, state, depth + 1)
            elif kind is int or kind is float or kind is bool or value is None:
                if kind is int and (value >= _BIG_INT or value <= -_BIG_INT):
                    treated = self._other(value, key, child, state, depth)
                    if treated is not DROP:
                        out[child.out_key] = treated
                else:
                    out[child.out_key] = value
            else:
                treated = self._other(value, key, child, state, depth)
                if treated is not DROP:
                    out[child.out_key] = treated
        return out

    def _sighted(self, trie: _Node, node: dict[str, Any], shape: tuple[str, ...],
                 seen: int | None) -> None:
        """Count one more sight of an object shape; compile its plan on the last one.

        A plan must do what `_object` does: whatever `_object` learns to do to a field or
        an object, `redactors.walkplan` must do too (test_walk_plans checks both agree).
        """
        plans = trie.plans
        if seen is None:
            if not 0 < len(shape) <= _PLAN_MAX_KEYS:
                return
            if len(plans) >= _PLANS_PER_NODE:  # forget the shapes still counted, keep plans
                for counted in [s for s, plan in plans.items() if type(plan) is int]:
                    del plans[counted]
                if len(plans) >= _PLANS_PER_NODE:
                    return
        sights = (seen or 0) + 1
        if sights < _PLAN_AFTER:
            plans[shape] = sights
            return
        if self._compiled >= _PLANS_AT_START + self._events // _EVENTS_PER_PLAN:
            plans[shape] = _PLAN_AFTER - 1  # no compile credit left: try again next sight
            return
        self._compiled += 1
        children = trie.children
        nodes = [children.get(key) or self._child(trie, key) for key in shape]
        plans[shape] = compile_plan(list(node.values()), nodes, obj=self._object,
                                    other=self._other, apply=self._apply, scan=self._scan,
                                    text_cache=self._text_cache)

    def _other(self, value: Any, key: str, trie: _Node, state: TreatState, depth: int) -> Any:
        if isinstance(value, list):
            return self._list(value, key, trie, state, depth + 1)
        if isinstance(value, str):  # str subclasses never come from orjson; be safe anyway
            return self._scan(value, state)
        if isinstance(value, dict):
            return self._object(value, trie, state, depth + 1)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _BIG_INT:
            text = str(value)
            redacted = self._scan(text, state)
            return value if redacted == text else redacted
        return value  # None, bool, float, small int

    def _list(self, items: list[Any], key: str, trie: _Node, state: TreatState,
              depth: int) -> list[Any]:
        if depth > self._max_depth:
            raise EventError("too_deep")
        child = trie.children.get(ITEM)
        if child is None:
            child = self._child(trie, ITEM)
        out: list[Any] = []
        plan = child.plan
        for item in items:
            if plan is not None:
                holder: dict[str, Any] = {}
                self._apply(plan, key, item, child, state, holder, depth)
                if child.out_key in holder:
                    out.append(holder[child.out_key])
                continue
            treated = self._other(item, key, child, state, depth)
            if treated is not DROP:
                out.append(treated)
        return out

    def _scan(self, text: str, state: TreatState) -> Any:
        if not self._scan_strings:
            state.transforms.add("drop")
            return DROP
        cached = self._text_cache.get(text)
        if cached is None:
            redacted, found = self._scanner.redact(text)
            redacted = scrub_home_dirs(redacted)
            cached = (redacted, tuple(sorted({self._entity_category.get(e, "unclassified")
                                              for e in found})))
            if len(text) <= _TEXT_CACHE_MAX_LEN:
                if len(self._text_cache) >= _TEXT_CACHE_LIMIT:
                    self._text_cache.clear()
                self._text_cache[text] = cached
        if cached[1]:
            state.transforms.add("scan")
            state.categories.update(cached[1])
        return cached[0]

    def _apply(self, plan: FieldPlan, key: str, value: Any, node: _Node, state: TreatState,
               out: dict[str, Any], depth: int) -> None:
        if value is None:
            return
        kind = type(value)
        if kind is dict:
            for item in value.values():
                if type(item) in _CONTAINERS:
                    kind = list  # nested: its shape needs the walk below
                    break
            else:  # a flat object (a `geo`): its shape is its length
                state.keys += len(value)
                if depth + 1 > self._max_depth:
                    raise EventError("too_deep")
        if kind is list:
            keys, deepest = shape_of(value, self._max_depth)
            state.keys += keys
            if depth + deepest > self._max_depth:
                raise EventError("too_deep")
        state.categories.add(plan.category)
        if plan.identifiable_keep:
            state.identifiable[node.dotted] = value
        transform = plan.analytics
        if transform is None:
            state.transforms.add("drop")
            return
        try:
            if type(value) is list and not plan.container_aware:
                treated: Any = [t for t in (
                    self._object(v, node, state, depth + 1) if type(v) is dict
                    else transform(v, key, state.day) for v in value) if t is not DROP]
            else:
                treated = transform(value, key, state.day)
        except EventError as exc:  # an object in the list may have named its category already
            reason = exc.reason if ":" in exc.reason else f"{exc.reason}:{plan.category}"
            raise EventError(reason, node.dotted) from None
        state.transforms.add(transform.label)
        if treated is not DROP:
            out[node.out_key] = treated
