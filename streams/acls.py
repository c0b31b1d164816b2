"""Least-privilege ACLs derived from the topic specs, applied to and compared with a broker.

Four principals: the worker, an emitting service, an analytics consumer and the privacy
team. Each gets exactly what its clients do (README "ACLs"); READ and WRITE imply DESCRIBE.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest, DescribeAclsRequest

from streams.topics import KEYS_TABLE, TopicNames, TopicSpec

__all__ = [
    "Acl",
    "AclDrift",
    "Operation",
    "Pattern",
    "Principals",
    "Resource",
    "apply_acls",
    "check_acls",
    "live_acls",
    "plan_acls",
]


class Resource(IntEnum):  # Kafka's AclResourceType codes
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5


class Pattern(IntEnum):  # PatternType
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):  # AclOperation
    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8
    DESCRIBE_CONFIGS = 10


_ANY, _ALLOW = 1, 3


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW rule for any host."""

    principal: str
    resource: Resource
    pattern: Pattern
    name: str
    operation: Operation

    def __str__(self) -> str:
        return (f"{self.principal} ALLOW {self.operation.name} on {self.resource.name} "
                f"{self.pattern.name.lower()}:{self.name}")


@dataclass(frozen=True)
class AclDrift:
    """A planned ACL the broker lacks, or one the broker holds beyond the plan."""

    acl: Acl
    missing: bool

    def __str__(self) -> str:
        return f"{'missing' if self.missing else 'extra  '} {self.acl}"


@dataclass(frozen=True, kw_only=True)
class Principals:
    """Kafka principals of the four roles (`User:<SASL username>`)."""

    worker: str = "User:worker"
    emitter: str = "User:emitter"
    analytics: str = "User:analytics"
    privacy: str = "User:privacy"
    analytics_group: str = "analytics"  # prefix of the analytics consumer's group ids

    def all(self) -> tuple[str, ...]:
        return (self.worker, self.emitter, self.analytics, self.privacy)


def plan_acls(names: TopicNames, specs: Sequence[TopicSpec],
              principals: Principals | None = None) -> list[Acl]:
    """The ACLs each principal needs, sorted; nothing more."""
    p = principals or Principals()
    app = names.app_id
    own = f"{app}-"  # Faust changelogs and its leader-assignor topic
    topics = [s.name for s in specs]
    aggregates = [t for t in topics if t.startswith(f"{names.prefix}analytics.")]
    keys = names.changelog(KEYS_TABLE)
    acls: set[Acl] = set()

    def grant(who: str, ops: Sequence[Operation], resource: Resource, *targets: str,
              pattern: Pattern = Pattern.LITERAL) -> None:
        acls.update(Acl(who, resource, pattern, t, op) for t in targets for op in ops)

    R, W = Operation.READ, Operation.WRITE
    topic = Resource.TOPIC
    # The worker: its inputs, its routes, rights (consent tombstones, re-queued requests,
    # receipts, access exports), topic creation and readiness checks; Faust's own topics,
    # consumer groups (`<app_id>`, `<app_id>-data`) and transactional ids under the app id.
    grant(p.worker, [R], topic, names.raw, names.consent, names.requests, names.identifiable,
          names.receipts)
    grant(p.worker, [W], topic, names.analytics, names.identifiable, names.deadletter,
          names.receipts, names.consent, names.requests, *aggregates)
    grant(p.worker, [Operation.CREATE, Operation.DESCRIBE_CONFIGS], topic,
          *[t for t in topics if not t.startswith(own)])
    grant(p.worker, [R, W, Operation.CREATE, Operation.DESCRIBE_CONFIGS], topic, own,
          pattern=Pattern.PREFIXED)
    grant(p.worker, [R], Resource.GROUP, app, pattern=Pattern.PREFIXED)
    grant(p.worker, [W], Resource.TRANSACTIONAL_ID, app, pattern=Pattern.PREFIXED)
    # An emitting service writes raw logs and nothing else.
    grant(p.emitter, [W], topic, names.raw)
    # An analytics consumer reads de-identified topics, in its own groups.
    grant(p.analytics, [R], topic, names.analytics, *aggregates)
    grant(p.analytics, [R], Resource.GROUP, p.analytics_group, pattern=Pattern.PREFIXED)
    # The privacy team: restricted routes and the audit trail; consent, requests and
    # receipts for the `consent`, `forget`, `correct` and `export` commands (export reads
    # the keys changelog to decrypt the subject's identifiable records).
    grant(p.privacy, [R], topic, names.identifiable, names.deadletter, names.receipts,
          names.consent, names.requests, keys)
    grant(p.privacy, [W], topic, names.consent, names.requests, names.receipts)
    return sorted(acls)


async def live_acls(admin: AIOKafkaAdminClient) -> set[Any]:
    """Every ALLOW ACL on the broker (Acl, or _ForeignAcl for kinds we never plan)."""
    response = await admin._send_request(
        DescribeAclsRequest(_ANY, None, _ANY, None, None, _ANY, _ANY))
    if response.error_code:
        from aiokafka.errors import for_code

        raise for_code(response.error_code)(response.error_message or "DescribeAcls")
    found: set[Any] = set()
    for rtype, name, ptype, entries in response.resources:
        for principal, _host, op, perm in entries:
            if perm == _ALLOW:
                found.add(_acl(principal, rtype, ptype, name, op))
    return found


def _concerns(acl: Any, planned: Sequence[Acl], principals: Principals) -> bool:
    """Whether a live ACL touches this deployment: on one of its resources, or on a name
    or prefix covering one of them (any principal), or inside one of its prefixes (its
    own principals)."""
    ours = {(a.resource, a.name) for a in planned}
    prefixes = {(a.resource, a.name) for a in planned if a.pattern is Pattern.PREFIXED}
    if acl.name == "*" or (acl.resource, acl.name) in ours:
        return True
    if acl.pattern == Pattern.PREFIXED and any(
            r == acl.resource and name.startswith(acl.name) for r, name in ours):
        return True
    return acl.principal in principals.all() and any(
        r == acl.resource and acl.name.startswith(p) for r, p in prefixes)


def _acl(principal: str, rtype: int, ptype: int, name: str, op: int) -> Any:
    try:
        return Acl(principal, Resource(rtype), Pattern(ptype), name, Operation(op))
    except ValueError:  # an operation or resource we never plan: always drift
        return _ForeignAcl(principal, rtype, ptype, name, op)


@dataclass(frozen=True, order=True)
class _ForeignAcl:
    principal: str
    resource: int
    pattern: int
    name: str
    operation: int

    def __str__(self) -> str:
        return (f"{self.principal} ALLOW operation {self.operation} on resource type "
                f"{self.resource} pattern {self.pattern}:{self.name}")


async def check_acls(admin: AIOKafkaAdminClient, planned: Sequence[Acl],
                     principals: Principals) -> list[AclDrift]:
    """Planned ACLs the broker lacks, and grants on this deployment's resources beyond the
    plan (to any principal: a stray `User:*` READ on raw logs is drift too). Other
    deployments' ACLs on the same cluster are not reported."""
    live = {acl for acl in await live_acls(admin) if _concerns(acl, planned, principals)}
    want = set(planned)
    drift = [AclDrift(acl, missing=True) for acl in sorted(want - live)]
    drift += [AclDrift(acl, missing=False) for acl in sorted(live - want, key=str)]
    return drift


async def apply_acls(admin: AIOKafkaAdminClient, planned: Sequence[Acl],
                     principals: Principals) -> list[Acl]:
    """Create the planned ACLs the broker lacks; returns them. Extra ACLs are left alone
    (`check` reports them)."""
    from aiokafka.errors import for_code

    live = await live_acls(admin)
    created = []
    for acl in planned:
        if acl in live:
            continue
        response = await admin._send_request(CreateAclsRequest(
            acl.resource, acl.name, acl.pattern, acl.principal, "*", acl.operation, _ALLOW))
        for code, message in response.creation_responses:
            if code:
                raise for_code(code)(f"cannot create ACL {acl}: {message or ''}")
        created.append(acl)
    await _wait_visible(admin, planned)
    return created


async def _wait_visible(admin: AIOKafkaAdminClient, planned: Sequence[Acl],
                        timeout: float = 30.0) -> None:
    """Return once the broker answers with every planned ACL: the controller commits a
    CreateAcls before the broker's authorizer has replayed it, and a client that comes
    straight after (`topics create` in a script) would be refused meanwhile."""
    deadline = time.monotonic() + timeout
    while not set(planned) <= await live_acls(admin):
        if time.monotonic() > deadline:
            raise RuntimeError(f"created ACLs still not in force after {timeout:.0f} s")
        await asyncio.sleep(0.2)
