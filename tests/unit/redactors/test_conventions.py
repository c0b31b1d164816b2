"""Identity fields named by the common conventions are classified, and name the subject.

The field names come from the conventions' published lists, committed under
tests/data/conventions/ with their source URLs (no network at test time): Elastic Common
Schema fields.csv, the OpenTelemetry attribute registry, OpenID Connect standard claims
and the CloudEvents auth context extension. Each test selects fields by a rule over the
list (a field set and leaf names), not by hand, so a convention's new reuse of a field
set is covered when the list is refreshed.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from redactors.classify import FieldClassifier
from redactors.consent import ConsentState
from redactors.engine import Engine
from redactors.keys import InMemoryKeyProvider
from redactors.parsing import ParsedEvent
from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.result import Outcome
from tests.unit.redactors.engine_fakes import PatternScanner

DATA = Path(__file__).parents[2] / "data" / "conventions"
USER_ID = "user.unique_id"
IDENTITY = frozenset({USER_ID, "user.name", "user.contact.email"})


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def _ecs_fields() -> list[str]:
    rows = csv.reader(_lines("ecs_fields.csv"))
    return [field for _field_set, field, _type in rows]


def _otel_attributes() -> list[str]:
    return _lines("otel_attributes.txt")


def _kinds(name: str) -> dict[str, str]:
    return dict(line.split(",", 1) for line in _lines(name))  # type: ignore[misc]


# ECS reuses its `user` field set under client, source, destination, server and user
# itself (target, effective, changes, relationships); these are its identity leaves.
_ECS_USER_LEAVES = {"id": USER_ID, "hash": USER_ID, "email": "user.contact.email",
                    "full_name": "user.name", "name": None}
ECS_USER_FIELDS = sorted(f for f in _ecs_fields()
                         if f.rsplit(".", 2)[-2:-1] == ["user"]
                         and f.rsplit(".", 1)[-1] in _ECS_USER_LEAVES)
ECS_ADDRESS_FIELDS = sorted(f for f in _ecs_fields()
                            if f.split(".")[0] in ("client", "source")
                            and f.rsplit(".", 1)[-1] in ("ip", "address", "mac"))
OTEL_IDENTITY = sorted(a for a in _otel_attributes() if a.split(".")[0] in ("user", "enduser")
                       and a.rsplit(".", 1)[-1] in ("id", "name", "full_name", "email", "hash"))
OTEL_ADDRESSES = sorted(a for a in _otel_attributes()
                        if a in ("client.address", "source.address", "network.peer.address"))
OTEL_DEVICE_IDS = sorted(a for a in _otel_attributes()
                         if a.split(".")[0] in ("session", "device") and a.endswith("id"))
OIDC = _kinds("oidc_claims.txt")
CLOUDEVENTS = _kinds("cloudevents_authcontext.txt")
_OIDC_CATEGORY = {"identifier": USER_ID, "email": "user.contact.email",
                  "phone": "user.contact.phone_number", "name": "user.name",
                  "birthdate": "user.demographic.date_of_birth"}


@pytest.fixture(scope="module")
def classifier() -> FieldClassifier:
    return FieldClassifier(load_policy().categories)


def test_the_lists_are_the_published_ones() -> None:
    """A truncated or hand-trimmed list would make the tests below prove less."""
    assert len(_ecs_fields()) > 2000
    assert len(_otel_attributes()) > 500
    assert len(ECS_USER_FIELDS) > 100
    assert {"enduser.id", "enduser.pseudo.id", "user.id", "user.email"} <= set(OTEL_IDENTITY)
    assert len(OIDC) >= 20
    assert CLOUDEVENTS["authid"] == "identifier"


def _both_forms(field: str) -> list[tuple[str, ...]]:
    """Nested objects (`{"user": {"id": ..}}`) and flat dotted keys (`{"user.id": ..}`)."""
    return [tuple(field.split(".")), (field,)]


@pytest.mark.parametrize("field", ECS_USER_FIELDS)
def test_ecs_user_fields_are_identity(classifier: FieldClassifier, field: str) -> None:
    expected = _ECS_USER_LEAVES[field.rsplit(".", 1)[-1]]
    for shape in _both_forms(field):
        category = classifier.classify(shape)
        assert category in IDENTITY, shape
        if expected is not None:
            assert category == expected, shape


@pytest.mark.parametrize("field", ECS_ADDRESS_FIELDS)
def test_ecs_client_and_source_addresses(classifier: FieldClassifier, field: str) -> None:
    expected = "user.device.cookie_id" if field.endswith(".mac") else "user.device.ip_address"
    assert classifier.classify(tuple(field.split("."))) == expected


@pytest.mark.parametrize("field", OTEL_IDENTITY)
def test_otel_user_attributes_are_identity(classifier: FieldClassifier, field: str) -> None:
    for shape in _both_forms(field):
        assert classifier.classify(shape) in IDENTITY, shape


@pytest.mark.parametrize("field", OTEL_ADDRESSES)
def test_otel_addresses_are_ip(classifier: FieldClassifier, field: str) -> None:
    for shape in _both_forms(field):
        assert classifier.classify(shape) == "user.device.ip_address", shape


@pytest.mark.parametrize("field", OTEL_DEVICE_IDS)
def test_otel_session_and_device_ids(classifier: FieldClassifier, field: str) -> None:
    for shape in _both_forms(field):
        assert classifier.classify(shape) == "user.device.cookie_id", shape


_OIDC_QUASI = {"zoneinfo": "user.device.time_zone", "locale": "user.device.language"}


@pytest.mark.parametrize(("claim", "kind"), sorted(OIDC.items()))
def test_oidc_standard_claims(classifier: FieldClassifier, claim: str, kind: str) -> None:
    category = classifier.classify(tuple(claim.split(".")))
    if kind in _OIDC_CATEGORY:
        assert category == _OIDC_CATEGORY[kind]
    elif kind == "username":
        assert category in IDENTITY
    elif kind == "address":
        assert category in ("user.contact.address", "user.location.coarse")
    elif claim in _OIDC_QUASI:  # harmless alone, identifying together: generalized
        assert category == _OIDC_QUASI[claim]
    elif kind in ("flag", "setting", "time"):  # not personal data alone
        assert category in (None, "user.behavior.session", "user.contact.email",
                            "user.contact.phone_number")


@pytest.mark.parametrize(("attribute", "kind"), sorted(CLOUDEVENTS.items()))
def test_cloudevents_auth_context(classifier: FieldClassifier, attribute: str,
                                  kind: str) -> None:
    expected = {"identifier": USER_ID, "credentials": "user.authorization.credentials",
                "setting": None}[kind]
    assert classifier.classify((attribute,)) == expected


# -- the subject and the child under these names ------------------------------------------

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> Engine:
    ring = PseudonymKeyring({"k2026a": b"k" * 32}, "k2026a")
    return Engine(load_policy(), keys=InMemoryKeyProvider(), pseudonym_keys=ring,
                  scanner=PatternScanner(), clock=lambda: NOW)


def _nested(dotted: str, value: object) -> dict[str, object]:
    event: dict[str, object] = {}
    node = event
    *parents, leaf = dotted.split(".")
    for key in parents:
        child: dict[str, object] = {}
        node[key] = child
        node = child
    node[leaf] = value
    return event


SUBJECT_FIELDS = sorted({
    *(c for c, kind in OIDC.items() if kind == "identifier"),
    *(a for a, kind in CLOUDEVENTS.items() if kind == "identifier"),
    *(a for a in OTEL_IDENTITY if a.endswith(".id") and "pseudo" not in a),
    *(f for f in ECS_USER_FIELDS if f.count(".") <= 2 and f.endswith("user.id")
      and f.split(".")[0] in ("user", "client", "source")),
})


def test_subject_fields_were_derived() -> None:
    assert {"sub", "authid", "enduser.id", "user.id", "client.user.id",
            "source.user.id"} <= set(SUBJECT_FIELDS)


@pytest.mark.parametrize("field", SUBJECT_FIELDS)
def test_conventions_name_the_subject(engine: Engine, field: str) -> None:
    for event in (_nested(field, "kid-7"), {field: "kid-7"}):
        parsed = engine.parse(orjson.dumps({"ts": "2026-11-30T10:00:00Z", **event}))
        assert isinstance(parsed, ParsedEvent)
        assert engine.subject_of(parsed) == "kid-7"
        erased = ConsentState(subject_id="kid-7", erased=True)
        assert engine.route(parsed, erased).outcome is Outcome.DROPPED


@pytest.mark.parametrize(
    ("field", "value", "outcome"),
    [
        ("birth_year", 2015, Outcome.DROPPED),
        ("birthYear", 2014, Outcome.DROPPED),
        ("date_of_birth", "2013-04-01", Outcome.DROPPED),
        ("birthdate", "2012-12-31", Outcome.DROPPED),  # OpenID Connect: YYYY-MM-DD
        ("dateOfBirth", "31/12/2012", Outcome.DROPPED),
        ("age", 12, Outcome.DROPPED),
        ("age", "15", Outcome.DROPPED),
        ("age", 16, Outcome.ANALYTICS),  # 16 may use the service (seed: under 16 may not)
        ("birthdate", "1980-02-29", Outcome.ANALYTICS),
        ("user.age", 40, Outcome.ANALYTICS),
        ("age", "unknown", Outcome.DEADLETTER),  # unreadable: fail closed
        ("birthdate", "0000-03-01", Outcome.DEADLETTER),  # OIDC's year-omitted form
        ("age", True, Outcome.DEADLETTER),
    ],
)
def test_children_are_known_by_birth_date_and_age(engine: Engine, field: str, value: object,
                                                  outcome: Outcome) -> None:
    event = {"ts": "2026-11-30T10:00:00Z", "user_id": "u-1", **_nested(field, value)}
    consent = ConsentState(subject_id="u-1", analytics=True, profiling=True)
    result = engine(orjson.dumps(event), consent)
    assert result.outcome is outcome
    if outcome is Outcome.DROPPED:
        assert result.reason == "child"
    if result.analytics is not None:
        leaf = field.rsplit(".", 1)[-1]  # birth data never reaches analytics
        assert f'"{leaf}":'.encode() not in orjson.dumps(result.analytics)
