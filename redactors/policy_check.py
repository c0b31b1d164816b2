"""Checking a policy file: YAML syntax, the JSON Schema, then meaning; every problem reported."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from redactors import codec
from redactors.aggregates.spec import aggregate_problems
from redactors.consent import ConsentTier
from redactors.detectors import ENTITIES
from redactors.errors import PolicyProblem
from redactors.name_tokens import TokenRule
from redactors.paths import PathPattern
from redactors.pseudonym import PseudonymKeyring
from redactors.transforms import BUILTIN_TREATMENTS, TransformDeps, default_registry

__all__ = ["KNOWN_CATEGORIES", "KNOWN_DETECTORS", "check_policy_text", "json_path"]

#: Fides taxonomy keys (fideslang 3.2.0) logwarden accepts, plus our user.behavior.session
#: and the quasi-identifying device settings under user.device (redactors/transforms/quasi.py).
_OWN_KEYS = """
user.device.time_zone user.device.language user.device.screen user.device.fingerprint
"""
_FIDES_KEYS = """
user user.account user.authorization user.authorization.credentials user.authorization.password
user.behavior user.behavior.browsing_history user.behavior.media_consumption
user.behavior.purchase_history user.behavior.search_history user.behavior.session
user.biometric user.childrens user.children.thirteen_to_sixteen user.contact
user.contact.address user.contact.address.city user.contact.address.country
user.contact.address.postal_code user.contact.address.state user.contact.address.street
user.contact.email user.contact.phone_number user.content user.demographic
user.demographic.age_range user.demographic.date_of_birth user.device user.device.cookie_id
user.device.device_id user.device.ip_address user.financial user.financial.bank_account
user.financial.credit_card user.government_id user.government_id.national_identification_number
user.location user.location.coarse user.location.precise user.name user.name.first
user.name.last user.privacy_preferences user.unique_id user.unique_id.deterministic
user.unique_id.probablistic
"""
KNOWN_CATEGORIES = frozenset(_FIDES_KEYS.split() + _OWN_KEYS.split())

#: entity names the free-text scanner's detectors report (the detector package's list)
KNOWN_DETECTORS = ENTITIES

_SEALED_TIERS = (ConsentTier.ERASED, ConsentTier.CHILD)
# The schema's deepest value is 6 levels down (categories.<key>.treatment.<tier>.analytics);
# transform settings may nest a little more. Deeper YAML is refused before it is built.
_MAX_DEPTH = 16
# Aliases may repeat a block a few times; "billion laughs" documents expand past this.
_MAX_ALIAS_NODES = 10_000
_SEGMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def json_path(path: tuple[Any, ...]) -> str:
    """`$.categories["user.name"].treatment.full` from a key path."""
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _SEGMENT.fullmatch(str(part)):
            out += f".{part}"
        else:
            out += f"[{codec.show(str(part))}]"
    return out


def _lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int],
           dupes: list[tuple[tuple[Any, ...], int]]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append(((*path, key), key_node.start_mark.line + 1))
            seen.add(key)
            out[(*path, key)] = key_node.start_mark.line + 1
            _lines(value_node, (*path, key), out, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _lines(item, (*path, index), out, dupes)


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader that refuses, while composing, nesting past `_MAX_DEPTH` and aliases
    that expand to more than `_MAX_ALIAS_NODES` nodes: a YAML error with its line instead
    of a RecursionError or gigabytes of memory (PyYAML shares aliased nodes, but every walk
    of the document, the schema's included, expands them)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0  # nodes composed, each alias counted as the nodes it stands for
        self._alias_nodes = 0
        self._expanded: dict[int, int] = {}  # id(node) -> nodes it stands for

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            node = super().compose_node(parent, index)  # an unknown anchor raises here
            size = self._expanded.get(id(node), 1)
            self._nodes += size
            self._alias_nodes += size
            if self._alias_nodes > _MAX_ALIAS_NODES:
                raise yaml.composer.ComposerError(
                    None, None, f"aliases expand to more than {_MAX_ALIAS_NODES} nodes",
                    event.start_mark)
            return node
        self._depth += 1
        if self._depth > _MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {_MAX_DEPTH} levels",
                self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        before = self._nodes
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._nodes += 1
        self._expanded[id(node)] = self._nodes - before
        return node


def _load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the document built from it, parsed once."""
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
        return root, None if root is None else loader.construct_document(root)
    finally:
        loader.dispose()


def _schema() -> Draft202012Validator:
    text = resources.files("schemas").joinpath("policy.schema.json").read_text("utf-8")
    return Draft202012Validator(codec.loads(text))


def check_policy_text(text: str, file: str) -> tuple[dict[str, Any], list[PolicyProblem]]:
    """Parse and check a policy; returns the document and the problems (empty when valid)."""
    try:
        root, document = _load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or "not valid YAML"
        line = mark.line + 1 if mark is not None else None
        return {}, [PolicyProblem(file, "", f"YAML: {reason}", line)]
    lines: dict[tuple[Any, ...], int] = {}
    dupes: list[tuple[tuple[Any, ...], int]] = []
    if root is not None:
        _lines(root, (), lines, dupes)

    def problem(path: tuple[Any, ...], message: str) -> PolicyProblem:
        probe = path
        while probe and probe not in lines:
            probe = probe[:-1]
        return PolicyProblem(file, json_path(path), message, lines.get(probe))

    problems = [problem(path, "duplicate key") for path, _ in dupes]
    if not isinstance(document, dict):
        return {}, [*problems, problem((), "a policy is a YAML mapping")]
    for error in sorted(_schema().iter_errors(document), key=lambda e: list(e.absolute_path)):
        problems.append(problem(tuple(error.absolute_path), f"schema: {error.message}"))
    if problems:
        return document, problems
    problems.extend(problem(path, message) for path, message in _semantic(document))
    return document, problems


_Found = Iterator[tuple[tuple[Any, ...], str]]


def _semantic(doc: Mapping[str, Any]) -> _Found:
    """What the schema cannot say, section by section, in document order."""
    declared = {**BUILTIN_TREATMENTS, **doc["transforms"]}
    yield from _tiers(doc)
    yield from _transforms(doc)
    yield from _unclassified(doc)
    yield from _quasi_problems(doc)
    for key, spec in doc["categories"].items():
        yield from _category(("categories", key), key, spec, doc["purposes"])
        yield from _treatments(("categories", key), spec, declared)
    yield from aggregate_problems(doc)


def _tiers(doc: Mapping[str, Any]) -> _Found:
    """Each tier names known purposes that have a consent flag."""
    purposes = doc["purposes"]
    for tier, names in doc["tiers"].items():
        for index, name in enumerate(names):
            if name not in purposes:
                yield ("tiers", tier, index), f"unknown purpose {name!r}"
            elif purposes[name]["consent_flag"] is None:
                yield ("tiers", tier, index), f"purpose {name!r} has no consent flag to require"


def _transforms(doc: Mapping[str, Any]) -> _Found:
    """Each declared transform builds."""
    registry = default_registry()
    deps = TransformDeps(scanner=_NullScanner(),
                         pseudonym_keys=PseudonymKeyring.ephemeral_keyring())
    for name, spec in doc["transforms"].items():
        try:
            registry.build(spec, deps)
        except (LookupError, ValueError, TypeError) as exc:
            yield ("transforms", name), f"invalid transform: {exc}"


def _unclassified(doc: Mapping[str, Any]) -> _Found:
    """Known detectors, and an id-like category the policy has."""
    for index, detector in enumerate(doc["unclassified"]["detectors"]):
        if detector not in KNOWN_DETECTORS:
            yield ("unclassified", "detectors", index), f"unknown detector {detector!r}"
    id_like_as = doc["unclassified"].get("id_like_as")
    if id_like_as is not None and id_like_as not in doc["categories"]:
        yield ("unclassified", "id_like_as"), f"no category {id_like_as!r} in this policy"


def _category(where: tuple[Any, ...], key: str, spec: Mapping[str, Any],
              purposes: Mapping[str, Any]) -> _Found:
    """A Fides key, known purposes and detectors, and names, tokens and paths that parse."""
    if key not in KNOWN_CATEGORIES:
        yield where, f"unknown category {key!r} (not a Fides taxonomy key)"
    for index, purpose in enumerate(spec["purposes"]):
        if purpose not in purposes:
            yield (*where, "purposes", index), f"unknown purpose {purpose!r}"
    for index, detector in enumerate(spec.get("detectors", ())):
        if detector not in KNOWN_DETECTORS:
            yield (*where, "detectors", index), f"unknown detector {detector!r}"
    for index, pattern in enumerate(spec.get("names", ())):
        try:
            re.compile(pattern)
        except re.error as exc:
            yield (*where, "names", index), f"invalid regular expression: {exc}"
    for index, rule in enumerate(spec.get("name_tokens", ())):
        try:
            TokenRule(rule)
        except ValueError as exc:
            yield (*where, "name_tokens", index), f"invalid name-token rule: {exc}"
    for index, pattern in enumerate(spec.get("paths", ())):
        try:
            PathPattern(pattern)
        except ValueError as exc:
            yield (*where, "paths", index), f"invalid path: {exc}"


def _treatments(where: tuple[Any, ...], spec: Mapping[str, Any],
                declared: Mapping[str, Any]) -> _Found:
    """Declared transforms; sealed tiers drop; analytics never keeps; identifiable keeps
    (encrypted) or drops."""
    for tier, treatment in spec["treatment"].items():
        for route in ("analytics", "identifiable"):
            name = treatment[route]
            here = (*where, "treatment", tier, route)
            if name not in declared:
                yield here, f"unknown transform {name!r}"
                continue
            kind = declared[name]["type"]
            if tier in _SEALED_TIERS and kind != "drop":
                yield here, f"{tier} subjects must reach no route: use drop"
            elif route == "analytics" and kind == "keep":
                yield here, "keep would send raw personal data to analytics"
            elif route == "identifiable" and kind not in ("keep", "drop"):
                yield here, "the identifiable route takes keep (encrypted) or drop"


def _quasi_problems(doc: Mapping[str, Any]) -> _Found:
    """Generalized quasi-identifiers are among the declared fields."""
    quasi = doc.get("quasi_identifiers")
    if quasi is None:
        return
    for index, name in enumerate(quasi.get("suppression", {}).get("generalize", ())):
        if name not in quasi["fields"]:
            yield (("quasi_identifiers", "suppression", "generalize", index),
                   f"no quasi-identifier {name!r} in fields")


class _NullScanner:
    """Stands in for the scanner while transforms are only being constructed."""

    def find(self, text: str) -> list[Any]:
        return []

    def redact(self, text: str) -> tuple[str, frozenset[str]]:
        return text, frozenset()
