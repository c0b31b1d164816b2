"""The policy model: one frozen object built from a checked YAML policy file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from redactors.aggregates.spec import NO_AGGREGATES, AggregatePlan, plan_from_document
from redactors.consent import ConsentTier
from redactors.errors import PolicyError, PolicyProblem
from redactors.name_tokens import TokenRule
from redactors.paths import PathPattern
from redactors.policy_check import check_policy_text
from redactors.risk import QuasiSpec

__all__ = [
    "FLAG_TIERS",
    "ROUTES",
    "Category",
    "Policy",
    "Treatment",
    "default_policy_path",
    "load_policy",
    "policy_from_document",
]

ROUTES = ("analytics", "identifiable")
#: tiers that consent flags select; erased and child come from the rights process and age
FLAG_TIERS = (ConsentTier.FULL, ConsentTier.ANALYTICS_ONLY, ConsentTier.NONE)


@dataclass(frozen=True, slots=True)
class Treatment:
    """The transform names for one category, tier and each route."""

    analytics: str
    identifiable: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Category:
    """One data category (a Fides key) with its field rules and treatment matrix."""

    key: str
    description: str
    purposes: tuple[str, ...]
    detectors: tuple[str, ...]
    paths: tuple[PathPattern, ...]
    names: tuple[re.Pattern[str], ...]
    treatment: Mapping[ConsentTier, Treatment]
    name_tokens: tuple[TokenRule, ...] = ()  # tried after every category's `names`


@dataclass(frozen=True, kw_only=True, slots=True)
class Policy:
    """Everything the engine reads from a policy file; frozen and shareable."""

    source: str
    version: str
    name: str
    honor_dnt: bool
    honor_gpc: bool
    minimum_age: int
    default_tier: ConsentTier
    max_event_bytes: int
    max_depth: int
    event_budget_ms: float
    purposes: Mapping[str, str | None]  # purpose -> consent flag (None: needs no consent)
    tiers: tuple[tuple[ConsentTier, tuple[str, ...]], ...]  # tier -> required consent flags
    subject_id_paths: tuple[str, ...]
    birth_year_paths: tuple[str, ...]
    time_paths: tuple[str, ...]
    gpc_paths: tuple[str, ...]
    dnt_paths: tuple[str, ...]
    retention_days: Mapping[str, int]
    route_tiers: Mapping[str, frozenset[ConsentTier]]
    backup_days: int | None
    transforms: Mapping[str, Mapping[str, Any]]
    unclassified_strings: str
    detectors: tuple[str, ...]
    free_text_paths: tuple[str, ...]
    categories: tuple[Category, ...]
    id_like_as: str | None = None  # opt-in: id-like unclassified values take this category
    ner: bool = False  # opt-in: the NER stage for names in prose (the `ner` install extra)
    quasi: QuasiSpec | None = None  # the analytics record's quasi-identifiers (risk, suppression)
    aggregates: AggregatePlan = NO_AGGREGATES  # DP windowed counts (redactors/aggregates)

    def category(self, key: str) -> Category:
        for category in self.categories:
            if category.key == key:
                return category
        raise LookupError(key)

    def category_for_entity(self, entity: str) -> str | None:
        """The category whose detectors list `entity` (first in policy order)."""
        for category in self.categories:
            if entity in category.detectors:
                return category.key
        return None


def default_policy_path() -> Path:
    """The packaged default policy (deploy/policy/default.yaml links to it)."""
    return Path(str(resources.files("redactors").joinpath("default_policy.yaml")))


def load_policy(path: str | Path | None = None) -> Policy:
    """Read, validate and build a policy; PolicyError lists every problem found."""
    source = Path(path) if path is not None else default_policy_path()
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise PolicyError([PolicyProblem(str(source), "", f"cannot read: {reason}")]) from None
    document, problems = check_policy_text(text, str(source))
    if problems:
        raise PolicyError(problems)
    return policy_from_document(document, str(source))


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in (value or ()))


def policy_from_document(doc: Mapping[str, Any], source: str) -> Policy:
    """Build the model from an already checked document."""
    settings = doc["settings"]
    categories = []
    for key, spec in doc["categories"].items():
        categories.append(Category(
            key=key,
            description=str(spec.get("description", "")),
            purposes=_tuple(spec.get("purposes")),
            detectors=_tuple(spec.get("detectors")),
            paths=tuple(PathPattern(p) for p in spec.get("paths", ())),
            names=tuple(re.compile(n) for n in spec.get("names", ())),
            name_tokens=tuple(TokenRule(t) for t in spec.get("name_tokens", ())),
            treatment=MappingProxyType({
                ConsentTier(tier): Treatment(t["analytics"], t["identifiable"])
                for tier, t in spec["treatment"].items()}),
        ))
    routes = doc["routes"]
    subject = doc["subject"]
    signals = doc.get("signals", {})
    unclassified = doc["unclassified"]
    return Policy(
        source=source,
        version=str(doc["version"]),
        name=str(doc.get("name", "")),
        honor_dnt=bool(settings["honor_dnt"]),
        honor_gpc=bool(settings["honor_gpc"]),
        minimum_age=int(settings["minimum_age"]),
        default_tier=ConsentTier(settings["default_tier"]),
        max_event_bytes=int(settings.get("max_event_bytes", 1 << 20)),
        max_depth=int(settings.get("max_depth", 32)),
        event_budget_ms=float(settings.get("event_budget_ms", 50)),
        purposes=MappingProxyType({k: v.get("consent_flag") for k, v in doc["purposes"].items()}),
        tiers=tuple(
            (ConsentTier(tier), tuple(doc["purposes"][p]["consent_flag"] for p in purposes
                                      if doc["purposes"][p]["consent_flag"]))
            for tier, purposes in doc["tiers"].items()),
        subject_id_paths=_tuple(subject.get("id_paths")),
        birth_year_paths=_tuple(subject.get("birth_year_paths")),
        time_paths=_tuple(subject.get("time_paths")),
        gpc_paths=_tuple(signals.get("gpc_paths")),
        dnt_paths=_tuple(signals.get("dnt_paths")),
        retention_days=MappingProxyType({k: int(v["retention_days"]) for k, v in routes.items()}),
        route_tiers=MappingProxyType({
            k: frozenset(ConsentTier(t) for t in v.get("tiers", [t.value for t in FLAG_TIERS]))
            for k, v in routes.items()}),
        backup_days=doc.get("backups", {}).get("max_days"),
        transforms=MappingProxyType({k: MappingProxyType(dict(v))
                                     for k, v in doc["transforms"].items()}),
        unclassified_strings=str(unclassified["strings"]),
        detectors=_tuple(unclassified["detectors"]),
        free_text_paths=_tuple(unclassified.get("free_text_paths")),
        categories=tuple(categories),
        id_like_as=unclassified.get("id_like_as"),
        ner=bool(unclassified.get("ner", False)),
        quasi=_quasi(doc.get("quasi_identifiers"), _tuple(subject.get("id_paths"))),
        aggregates=plan_from_document(doc),
    )


def _quasi(spec: Mapping[str, Any] | None, subject_paths: tuple[str, ...]) -> QuasiSpec | None:
    if spec is None:
        return None
    suppression = spec.get("suppression", {})
    return QuasiSpec(
        fields=tuple((name, _tuple(paths)) for name, paths in spec["fields"].items()),
        subject_paths=subject_paths,
        k=int(spec.get("k", 5)),
        suppression=bool(suppression.get("enabled", False)),
        window_seconds=float(spec.get("window_seconds", 3600)),
        max_records=int(spec.get("max_records", 20_000)),
        generalize=_tuple(suppression.get("generalize")))
