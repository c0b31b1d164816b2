"""The core call: one raw event and the subject's consent in, one routed result out."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from redactors.age import birth_year_of, is_under_age
from redactors.budget import CpuBudget
from redactors.classify import FieldClassifier
from redactors.consent import ConsentState, ConsentTier
from redactors.errors import EventError, LogwardenError
from redactors.findings import TextScanner
from redactors.keys import KeyProvider
from redactors.parsing import BadInput, ParsedEvent, has_duplicate_keys, parse_event
from redactors.policy import Category, Policy, load_policy
from redactors.pseudonym import KEY_FILE_ENV, KEYS_ENV, PseudonymKeyring
from redactors.result import Outcome, Privacy, RoutedResult
from redactors.sealing import Sealer
from redactors.transforms import (
    BUILTIN_TREATMENTS,
    Drop,
    Keep,
    Transform,
    TransformDeps,
    TransformRegistry,
    default_registry,
)
from redactors.transforms.timestamps import parse_timestamp
from redactors.treat import FieldPlan, Treater, TreatState

__all__ = ["Engine", "ParsedEvent", "default_scanner", "load_engine"]

_TRUTHY = frozenset({"1", "true", "yes", "on"})
_ISO_HOUR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}")
_SHAPE_LIMIT = 1024
_SHAPE_MAX_BYTES = 4096  # an event this small keeps at most this much key text per shape
_TIER_VALUE = {tier: tier.value for tier in ConsentTier}  # a plain str; `.value` is slow
_MINUTE_SECOND = frozenset(f":{m:02d}:{s:02d}Z" for m in range(60) for s in range(60))


class Engine:
    """Built once from a policy and keys; `route` is pure and thread-compatible."""

    def __init__(self, policy: Policy, *, keys: KeyProvider, pseudonym_keys: PseudonymKeyring,
                 scanner: TextScanner, registry: TransformRegistry | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.policy = policy
        self.keys = keys
        self.pseudonym_keys = pseudonym_keys
        self.scanner = scanner
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sealer = Sealer()
        registry = registry or default_registry()
        deps = TransformDeps(scanner=scanner, pseudonym_keys=pseudonym_keys)
        specs = {**BUILTIN_TREATMENTS, **policy.transforms}
        built = {name: registry.build(spec, deps) for name, spec in specs.items()}
        classifier = FieldClassifier(policy.categories)
        entity_category = {entity: policy.category_for_entity(entity) or "unclassified"
                           for entity in {*policy.detectors,
                                          *(e for c in policy.categories for e in c.detectors)}}
        self._treaters = {
            tier: Treater({c.key: self._plan(c, tier, built) for c in policy.categories},
                          classifier, scanner, entity_category,
                          scan_strings=policy.unclassified_strings == "scan",
                          max_depth=policy.max_depth,
                          id_plan=None if policy.id_like_as is None else self._plan(
                              policy.category(policy.id_like_as), tier, built))
            for tier in ConsentTier}
        self._subject_paths = _split(policy.subject_id_paths)
        self._time_paths = _split(policy.time_paths)
        self._birth_paths = _split(policy.birth_year_paths)
        self._gpc_paths = _split(policy.gpc_paths) if policy.honor_gpc else ()
        self._dnt_paths = _split(policy.dnt_paths) if policy.honor_dnt else ()
        self._analytics_tiers = policy.route_tiers["analytics"]
        # The tier depends on the consent flags only: resolved once per combination.
        flag_names = sorted({flag for _, flags in policy.tiers for flag in flags})
        self._consent_flags = attrgetter("erased", *flag_names)  # erased is False by then
        self._tier_by_flags: dict[Any, ConsentTier] = {}
        self._path_groups = (self._subject_paths, self._time_paths, self._birth_paths,
                             self._gpc_paths, self._dnt_paths)
        self._paths_by_shape: dict[tuple[str, ...],
                                   tuple[_Paths, _Paths, _Paths, _Paths, _Paths]] = {}
        self._hours: dict[str, bool] = {}  # `YYYY-MM-DDTHH` -> whether it is a real hour
        self._identifiable_tiers = policy.route_tiers["identifiable"]
        self._budget = CpuBudget(policy.event_budget_ms)
        self._unrouted = Privacy(policy.version)  # dead-letter and drop results share it

    @staticmethod
    def _plan(category: Category, tier: ConsentTier,
              built: Mapping[str, Transform]) -> FieldPlan:
        treatment = category.treatment[tier]
        analytics = built[treatment.analytics]
        identifiable = built[treatment.identifiable]
        return FieldPlan(category.key, None if isinstance(analytics, Drop) else analytics,
                         isinstance(identifiable, Keep))

    # -- the API the pipeline calls -------------------------------------------------------

    def parse(self, raw: bytes | bytearray | memoryview | str) -> ParsedEvent | RoutedResult:
        """Decode one input; bad input becomes a dead-letter result with a reason code."""
        try:
            parsed = parse_event(raw, max_bytes=self.policy.max_event_bytes)
        except Exception:  # fail closed here too: never a crash on input
            return self._deadletter("internal_error")
        if isinstance(parsed, BadInput):
            return RoutedResult(outcome=Outcome.DEADLETTER, reason=parsed.reason,
                                privacy=self._unrouted)
        return parsed

    def subject_of(self, parsed: ParsedEvent) -> str | None:
        """The subject id found at the policy's subject paths, as a string."""
        return self._subject(parsed.event, self._subject_paths)

    @staticmethod
    def _subject(event: dict[str, Any], paths: _Paths) -> str | None:
        at, value = _find(event, paths, 0)
        while at >= 0:
            if isinstance(value, str) and value.strip():
                return value.strip()
            if isinstance(value, int) and not isinstance(value, bool):
                return str(value)
            at, value = _find(event, paths, at + 1)
        return None

    def __call__(self, raw: bytes | bytearray | memoryview | str,
                 consent: ConsentState | None = None) -> RoutedResult:
        parsed = self.parse(raw)
        if isinstance(parsed, RoutedResult):
            return parsed
        return self.route(parsed, consent)

    def route_raw(self, raw: bytes | bytearray | memoryview | str,
                  consent_of: Callable[[str], ConsentState | None],
                  keys: KeyProvider | None = None) -> RoutedResult:
        """The whole sequence for one input: parse, find the subject, look up its
        consent with `consent_of`, route. Never raises: fails closed."""
        parsed = self.parse(raw)
        if isinstance(parsed, RoutedResult):
            return parsed
        try:
            subject = self.subject_of(parsed)
            consent = consent_of(subject) if subject is not None else None
        except Exception:  # a failing lookup must not let the event through
            return self._deadletter("consent_error")
        return self.route(parsed, consent, keys)

    def route(self, parsed: ParsedEvent, consent: ConsentState | None,
              keys: KeyProvider | None = None) -> RoutedResult:
        """Classify, transform and route one parsed event. Never raises: fails closed.

        `keys` overrides the engine's key provider for this event (the pipeline passes
        the provider of the raw partition the event came from)."""
        started = self._budget.start()
        try:
            result = self._route(parsed, consent, self.keys if keys is None else keys)
        except EventError as exc:
            return self._deadletter(exc.reason)
        except Exception:  # fail closed: anything unexpected is dead-lettered
            return self._deadletter("internal_error")
        return self._within_budget(result, started)

    def _within_budget(self, result: RoutedResult, started: int) -> RoutedResult:
        """The per-event CPU budget (policy `event_budget_ms`): an event that took longer is
        dead-lettered, never routed. CPU time of this thread less full garbage collections,
        so neither a busy machine nor the heap counts against the event; the detectors
        are linear, so the overrun is bounded too."""
        if self._budget.exceeded(started):
            return self._deadletter("budget_exceeded")
        return result

    # -- internals -------------------------------------------------------------------------

    def _deadletter(self, reason: str) -> RoutedResult:
        return RoutedResult(outcome=Outcome.DEADLETTER, reason=reason,
                            privacy=self._unrouted)

    def _dropped(self, reason: str, subject: str | None) -> RoutedResult:
        return RoutedResult(outcome=Outcome.DROPPED, reason=reason, subject_id=subject,
                            privacy=self._unrouted)

    def _paths_in(self, parsed: ParsedEvent) -> tuple[_Paths, _Paths, _Paths, _Paths, _Paths]:
        """Subject, time, birth-year, GPC and DNT paths that can have a value in this event:
        those whose first segment (or literal dotted key) it has, cached per key set."""
        if parsed.size > _SHAPE_MAX_BYTES:  # keys are attacker-controlled: bound what we keep
            return self._path_groups
        shape = tuple(parsed.event)
        groups = self._paths_by_shape.get(shape)
        if groups is None:
            keys = frozenset(shape)
            subject, time, birth, gpc, dnt = (
                tuple(p for p in group if p[0] in keys or p[1] in keys)
                for group in self._path_groups)
            groups = (subject, time, birth, gpc, dnt)
            if len(self._paths_by_shape) >= _SHAPE_LIMIT:
                self._paths_by_shape.clear()
            self._paths_by_shape[shape] = groups
        return groups

    @staticmethod
    def _signal(event: dict[str, Any], paths: _Paths) -> bool:
        at, value = _find(event, paths, 0)
        while at >= 0:
            if value is True or value == 1 or (isinstance(value, str)
                                               and value.strip().lower() in _TRUTHY):
                return True
            at, value = _find(event, paths, at + 1)
        return False

    def _birth_year(self, event: dict[str, Any], consent: ConsentState | None,
                    paths: _Paths) -> int | None:
        if consent is not None and consent.birth_year is not None:
            return consent.birth_year
        at, value = _find(event, paths, 0)
        if at >= 0:
            dotted = paths[at][0]
            try:  # a year, a date or an age (redactors.age)
                return birth_year_of(value, dotted, self._clock().year)
            except ValueError:
                raise EventError("bad_birth_year", dotted) from None
        return None

    def _time_of(self, event: dict[str, Any], paths: _Paths, at: int, value: Any) -> datetime:
        """The first time that parses, from the value found at path `at` on."""
        while at >= 0:
            parsed = parse_timestamp(value)
            if parsed is not None:
                return parsed
            at, value = _find(event, paths, at + 1)
        return self._clock()

    def _event_day(self, event: dict[str, Any], paths: _Paths) -> tuple[str, int, Any]:
        """The event's UTC day, and the first time value found with its path index (to
        parse it only when needed).

        The commonest form, `YYYY-MM-DDTHH:MM:SSZ`, gives its day without a datetime:
        its date and hour are checked once per hour, its minutes and seconds by a set.
        """
        at, value = _find(event, paths, 0)
        if (type(value) is str and len(value) == 20 and value[13:] in _MINUTE_SECOND
                and self._valid_hour(value[:13])):
            return value[:10], at, value
        return self._time_of(event, paths, at, value).date().isoformat(), at, value

    def _valid_hour(self, prefix: str) -> bool:
        valid = self._hours.get(prefix)
        if valid is None:
            valid = (_ISO_HOUR.fullmatch(prefix) is not None
                     and parse_timestamp(prefix + ":00:00Z") is not None)
            if len(self._hours) >= 4096:  # attacker-controlled: bound it
                self._hours.clear()
            self._hours[prefix] = valid
        return valid

    def tier_of(self, consent: ConsentState | None) -> ConsentTier:
        """The consent column of the matrix for a consent state (None: the policy default)."""
        if consent is None:
            return self.policy.default_tier
        if consent.erased:
            return ConsentTier.ERASED
        flags = self._consent_flags(consent)
        try:
            tier = self._tier_by_flags.get(flags)
        except TypeError:  # a flag that is not a plain boolean: resolve it uncached
            return self._tier_for(consent)
        if tier is None:
            tier = self._tier_for(consent)
            if len(self._tier_by_flags) >= 64:  # flags are booleans: a handful of keys
                self._tier_by_flags.clear()
            self._tier_by_flags[flags] = tier
        return tier

    def _tier_for(self, consent: ConsentState) -> ConsentTier:
        for tier, flags in self.policy.tiers:
            if all(getattr(consent, flag) for flag in flags):
                return tier
        return ConsentTier.NONE

    def _route(self, parsed: ParsedEvent, consent: ConsentState | None,
               keys: KeyProvider) -> RoutedResult:
        event = parsed.event
        subject_paths, time_paths, birth_paths, gpc_paths, dnt_paths = self._paths_in(parsed)
        subject = self._subject(event, subject_paths)
        if consent is not None and consent.erased:
            return self._dropped("erased", subject)
        tier = self.tier_of(consent)
        day, time_at, time_value = self._event_day(event, time_paths)
        birth_year = self._birth_year(event, consent, birth_paths)
        # A timestamp from the future must not age a child past the limit.
        if birth_year is not None and is_under_age(
                birth_year, self.policy.minimum_age,
                min(self._time_of(event, time_paths, time_at, time_value),
                    self._clock()).date()):
            return self._dropped("child", subject)
        gpc = bool(consent and consent.gpc) or self._signal(event, gpc_paths)
        if dnt_paths and tier is not ConsentTier.NONE and self._signal(event, dnt_paths):
            tier = ConsentTier.NONE

        walk = TreatState(day)
        analytics = self._treaters[tier].treat(event, walk)
        if has_duplicate_keys(parsed, walk.keys):
            return self._deadletter("duplicate_key")

        identifiable = None
        if walk.identifiable and subject is not None and tier in self._identifiable_tiers:
            payload = {"fields": walk.identifiable, "policy": self.policy.version}
            identifiable = self._sealer.seal(payload, subject,
                                             keys.get_or_create(subject))
        marketing_opt_out = gpc or consent is None or not consent.marketing
        categories, transforms = sorted(walk.categories), sorted(walk.transforms)
        version, tier_name = self._unrouted.policy, _TIER_VALUE[tier]
        sharing = not gpc and tier is not ConsentTier.NONE
        privacy = Privacy(version, tier_name, categories, transforms, marketing_opt_out, gpc,
                          sharing)
        if tier in self._analytics_tiers:
            analytics["_privacy"] = {  # privacy.as_record(), spelt out: it is the hot path
                "policy": version,
                "tier": tier_name,
                "categories": categories,
                "transforms": transforms,
                "marketing_opt_out": marketing_opt_out,
                "gpc": gpc,
                "third_party_sharing": sharing,
            }
            return RoutedResult(outcome=Outcome.ANALYTICS, analytics=analytics,
                                identifiable=identifiable, subject_id=subject, privacy=privacy)
        if identifiable is not None:
            return RoutedResult(outcome=Outcome.IDENTIFIABLE_ONLY, identifiable=identifiable,
                                subject_id=subject, privacy=privacy)
        return self._dropped("no_route", subject)


_Paths = tuple[tuple[str, str, tuple[str, ...]], ...]


def _split(paths: tuple[str, ...]) -> _Paths:
    """Each dotted path as (dotted, first, rest): split once, not per event."""
    return tuple((path, first, tuple(rest)) for path in paths
                 for first, *rest in [path.split(".")])


def _find(event: dict[str, Any], paths: _Paths, start: int) -> tuple[int, Any]:
    """The first of `paths` from index `start` that has a value: (its index, the value),
    or (-1, None). A literal dotted key counts when the first segment is absent."""
    get = event.get
    for at in range(start, len(paths)):
        dotted, first, rest = paths[at]
        node: Any = get(first)
        if rest:
            if node is None:
                node = get(dotted)
            else:
                for key in rest:
                    if type(node) is not dict:
                        node = None
                        break
                    node = node.get(key)
                    if node is None:
                        break
        if node is not None:
            return at, node
    return -1, None


def default_scanner(*, ner: bool = False) -> TextScanner:
    """The free-text scanner shipped in redactors.scanner; `ner` adds the NER stage (the
    policy's `unclassified.ner`, with the `ner` install extra)."""
    try:
        from redactors.scanner import FreeTextScanner  # optional until it lands
    except ImportError as exc:
        raise LogwardenError("the free-text scanner (redactors.scanner) is not installed") from exc
    scanner: TextScanner = FreeTextScanner(ner=ner)
    return scanner


def load_engine(policy_path: str | None, keys: KeyProvider, env: Mapping[str, str], *,
                key_file: str | None = None, scanner: TextScanner | None = None,
                allow_ephemeral: bool = False) -> Engine:
    """An engine from a policy file (None: the packaged default) and pseudonym keys read
    from `key_file`, $LOGWARDEN_PSEUDONYM_KEYS or $LOGWARDEN_PSEUDONYM_KEY_FILE.

    No keys configured raises MissingKeyError unless `allow_ephemeral` (embedded mode
    only); keys configured but unreadable or malformed always raise it.
    """
    policy = load_policy(policy_path)
    configured = key_file is not None or bool(env.get(KEYS_ENV) or env.get(KEY_FILE_ENV))
    if allow_ephemeral and not configured:
        keyring = PseudonymKeyring.ephemeral_keyring()
    else:
        keyring = PseudonymKeyring.from_env(env, key_file)  # MissingKeyError when absent/bad
    return Engine(policy, keys=keys, pseudonym_keys=keyring,
                  scanner=scanner if scanner is not None else default_scanner(ner=policy.ner))
