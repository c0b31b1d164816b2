"""Walking one event: each field classified (cached per path) and treated for one tier."""

from __future__ import annotations

import re
from typing import Any

from redactors.classify import FieldClassifier
from redactors.errors import EventError
from redactors.findings import TextScanner
from redactors.id_like import is_id_like
from redactors.parsing import shape_of
from redactors.paths import ITEM
from redactors.textlog import scrub_home_dirs
from redactors.transforms import DROP, Transform
from redactors.transforms.geo import GeoCoarsen

__all__ = ["FieldPlan", "TreatState", "Treater"]

_BIG_INT = 10**7  # integers this long may be phone, card or account numbers: scan them
_FLOAT_EXACT = 2.0**63  # past this an integral float no longer spells its digits exactly
_NUMBER_CONTEXT = 32  # how much of a field name serves as a number's context words
_NODE_LIMIT = 200_000  # field paths are attacker-controlled: bound what we remember
_TEXT_CACHE_LIMIT = 65_536
_TEXT_CACHE_MAX_LEN = 512
_CONTAINERS = (dict, list)
_KEY_NEEDS_SCAN = re.compile(r"[0-9@:%+ ]|[A-Z][a-z]+ [A-Z]|[^\x00-\x7f]")  # non-ASCII: folded


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
                 "shape", "transform", "whole")

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


_PAIR_MAX_KEYS = 8  # a HAR cookie has seven: name, value, path, domain, expires, ...
_PAIR_MAX_NAME = 256
_PAIR_CACHE_LIMIT = 4096
_PAIR_VALUE_KEYS = ("value", "Value", "values", "Values", "val")
_PAIR_NAME_KEYS = ("name", "Name", "key", "Key", "header", "field", "param", "parameter",
                   "attribute", "label")


class Treater:
    """Treats whole events for one consent tier."""

    def __init__(self, plans: dict[str, FieldPlan], classifier: FieldClassifier,
                 scanner: TextScanner, entity_category: dict[str, str], *,
                 scan_strings: bool, max_depth: int, id_plan: FieldPlan | None = None) -> None:
        self._plans = plans
        self._classifier = classifier
        self._scanner = scanner
        self._entity_category = entity_category
        self._scan_strings = scan_strings
        self._max_depth = max_depth
        self._text_cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._id_plan = id_plan  # opt-in (`unclassified.id_like_as`): None when off
        self._reset()

    def _reset(self) -> None:
        self._root = _Node((), None, "")
        self._nodes = 0
        self._pair_nodes: dict[tuple[str, str, str], _Node] = {}

    def treat(self, event: dict[str, Any], state: TreatState) -> dict[str, Any]:
        """The analytics form of `event`; fills `state`. Raises EventError to dead-letter."""
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

    # The hot-path walk: every field of every event passes here and through _apply, so the
    # branches are inlined (a helper call per field costs more than the engine's budget
    # allows); the two are the only functions allowed past the complexity limit.
    def _object(self, node: dict[str, Any], trie: _Node, state: TreatState,  # noqa: C901
                depth: int) -> dict[str, Any]:
        if depth > self._max_depth:
            raise EventError("too_deep")
        state.keys += len(node)
        # A name/value pair (`{"name": "password", "value": ...}`): the value takes the
        # category of the name, so it is held back from the walk and treated after it.
        pair = self._pair(node, trie) if len(node) <= _PAIR_MAX_KEYS else None
        if pair is not None:
            node = {k: v for k, v in node.items() if k != pair[0].shape[-1]}
        out: dict[str, Any] = {}
        children = trie.children
        day = state.day
        add_category = state.categories.add
        add_transform = state.transforms.add
        text_cache = self._text_cache
        id_plan = self._id_plan
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
                if id_plan is not None and is_id_like(value):
                    self._apply(id_plan, key, value, child, state, out, depth)
                elif value:
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
                if (kind is int or kind is float) and (value >= _BIG_INT or value <= -_BIG_INT):
                    treated = self._other(value, key, child, state, depth)
                    if treated is not DROP:
                        out[child.out_key] = treated
                else:
                    out[child.out_key] = value
            else:
                treated = self._other(value, key, child, state, depth)
                if treated is not DROP:
                    out[child.out_key] = treated
        if pair is not None:
            pair_node, pair_value = pair
            if pair_node.plan is not None:  # always: _pair plans only classified names
                self._apply(pair_node.plan, pair_node.shape[-1], pair_value, pair_node,
                            state, out, depth)
        return out

    # -- name/value pairs ---------------------------------------------------------------

    def _pair(self, node: dict[str, Any], trie: _Node) -> tuple[_Node, Any] | None:
        """The value of a name/value pair whose name has a category, as a node planned
        with that category; None for any other object."""
        value_key = next((k for k in _PAIR_VALUE_KEYS if k in node), None)
        if value_key is None:
            return None
        name = next((node[k] for k in _PAIR_NAME_KEYS if k in node), None)
        if type(name) is not str or not name or len(name) > _PAIR_MAX_NAME:
            return None
        category = self._classifier.classify((name,))
        if category is None:
            return None
        cache_key = (trie.dotted, value_key, category)
        found = self._pair_nodes.get(cache_key)
        if found is None:
            if len(self._pair_nodes) >= _PAIR_CACHE_LIMIT:
                self._pair_nodes.clear()
            found = _Node((*trie.shape, value_key), self._plans[category], value_key)
            self._pair_nodes[cache_key] = found
        return found, node[value_key]

    def _other(self, value: Any, key: str, trie: _Node, state: TreatState, depth: int) -> Any:
        if isinstance(value, list):
            return self._list(value, key, trie, state, depth + 1)
        if isinstance(value, str):  # str subclasses never come from orjson; be safe anyway
            if self._id_plan is not None and is_id_like(value):
                holder: dict[str, Any] = {}
                self._apply(self._id_plan, key, value, trie, state, holder, depth)
                return holder.get(trie.out_key, DROP)
            return self._scan(value, state)
        if isinstance(value, dict):
            return self._object(value, trie, state, depth + 1)
        if (isinstance(value, int | float) and not isinstance(value, bool)
                and abs(value) >= _BIG_INT):
            return self._number(value, key, state)
        return value  # None, bool, small numbers

    def _number(self, value: float, key: str, state: TreatState) -> Any:
        """A long number scanned with its field name as context (`contact: 4155552671` is a
        phone number where `4155552671` alone is not); an integral float is read as the
        integer it spells (`4111111111111111.0` is a card number)."""
        if isinstance(value, float):
            if not value.is_integer() or abs(value) >= _FLOAT_EXACT:
                return value
            value = int(value)
        if not self._scan_strings:  # `unclassified.strings: drop` drops long numbers too
            state.transforms.add("drop")
            return DROP
        text = str(value)
        prefix = key[-_NUMBER_CONTEXT:].replace("_", " ") + ": "
        findings = [f for f in self._scanner.find(prefix + text) if f.end > len(prefix)]
        if not findings:
            return value
        state.transforms.add("scan")
        state.categories.update(self._entity_category.get(f.entity, "unclassified")
                                for f in findings)
        return f"<{findings[0].entity}>"

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

    def _apply(self, plan: FieldPlan, key: str, value: Any, node: _Node,  # noqa: C901
               state: TreatState, out: dict[str, Any], depth: int) -> None:
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
