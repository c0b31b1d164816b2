"""The ACL plan: each principal gets what its clients do, and nothing that crosses a route."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from streams.acls import Acl, Operation, Pattern, Principals, Resource, plan_acls
from streams.cli import cli
from streams.topics import KEYS_TABLE, TopicNames, TopicSpec, topic_specs

NAMES = TopicNames(prefix="p.", app_id="app")
SPECS = topic_specs(NAMES, 4)
PLAN = plan_acls(NAMES, SPECS)
P = Principals()


def _topics(principal: str, op: Operation) -> set[str]:
    return {a.name for a in PLAN if a.principal == principal and a.resource is Resource.TOPIC
            and a.operation is op and a.pattern is Pattern.LITERAL}


def test_emitter_writes_raw_only() -> None:
    assert [a for a in PLAN if a.principal == P.emitter] == [
        Acl(P.emitter, Resource.TOPIC, Pattern.LITERAL, NAMES.raw, Operation.WRITE)]


def test_analytics_reads_analytics_only_in_its_own_groups() -> None:
    mine = [a for a in PLAN if a.principal == P.analytics]
    assert _topics(P.analytics, Operation.READ) == {NAMES.analytics, NAMES.aggregates}
    assert {a.operation for a in mine} == {Operation.READ}
    assert {(a.resource, a.pattern, a.name) for a in mine if a.resource is Resource.GROUP} == {
        (Resource.GROUP, Pattern.PREFIXED, "analytics")}


def test_aggregates_topic_joins_the_analytics_reads_when_it_exists() -> None:
    specs = [*SPECS, TopicSpec(name="p.analytics.aggregates", partitions=4)]
    plan = plan_acls(NAMES, specs)
    assert Acl(P.analytics, Resource.TOPIC, Pattern.LITERAL, "p.analytics.aggregates",
               Operation.READ) in plan
    assert Acl(P.worker, Resource.TOPIC, Pattern.LITERAL, "p.analytics.aggregates",
               Operation.WRITE) in plan


@pytest.mark.parametrize("principal", [P.emitter, P.analytics, P.privacy])
def test_no_one_but_the_worker_reads_raw(principal: str) -> None:
    assert NAMES.raw not in _topics(principal, Operation.READ)


def test_privacy_team_reads_restricted_routes_and_writes_no_route() -> None:
    reads = _topics(P.privacy, Operation.READ)
    assert {NAMES.identifiable, NAMES.deadletter, NAMES.receipts} <= reads
    assert NAMES.changelog(KEYS_TABLE) in reads  # export decrypts with the subject's keys
    assert NAMES.analytics not in reads
    assert _topics(P.privacy, Operation.WRITE) == {NAMES.consent, NAMES.requests,
                                                   NAMES.receipts}


def test_worker_gets_its_group_transactions_and_own_topics_by_prefix() -> None:
    worker = {(a.resource, a.pattern, a.name, a.operation) for a in PLAN
              if a.principal == P.worker}
    assert (Resource.GROUP, Pattern.PREFIXED, "app", Operation.READ) in worker
    assert (Resource.TRANSACTIONAL_ID, Pattern.PREFIXED, "app", Operation.WRITE) in worker
    for op in (Operation.READ, Operation.WRITE, Operation.CREATE):
        assert (Resource.TOPIC, Pattern.PREFIXED, "app-", op) in worker
    assert _topics(P.worker, Operation.READ) == {NAMES.raw, NAMES.consent, NAMES.requests,
                                                 NAMES.identifiable, NAMES.receipts}
    assert _topics(P.worker, Operation.WRITE) == {
        NAMES.analytics, NAMES.identifiable, NAMES.deadletter, NAMES.receipts, NAMES.consent,
        NAMES.requests, NAMES.aggregates}
    assert not any(a.resource is Resource.CLUSTER for a in PLAN)


def test_every_spec_topic_is_covered_and_the_plan_has_no_duplicates() -> None:
    assert len(PLAN) == len(set(PLAN))
    for spec in SPECS:
        assert any(a.name == spec.name or (a.pattern is Pattern.PREFIXED
                                           and spec.name.startswith(a.name)) for a in PLAN)


def test_plan_command_prints_the_plan_with_custom_principals() -> None:
    result = CliRunner().invoke(cli, ["acls", "plan", "--topic-prefix", "p.", "--app-id",
                                      "app", "--emitter-principal", "User:svc-a"])
    assert result.exit_code == 0
    assert "User:svc-a ALLOW WRITE on TOPIC literal:p.logs.raw" in result.output
    assert "User:emitter" not in result.output
    assert len(result.output.splitlines()) == len(PLAN)
