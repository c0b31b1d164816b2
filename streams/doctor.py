"""`logwarden doctor`'s checks: one verdict per check, in order, each with what to do.

Every check reuses the code of the command it stands for (`topics check`, `acls check`,
`policy check`, `lag`), so the doctor and those commands never disagree. Keys are
parsed, never printed; errors name the variable or file they came from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from streams.settings import Settings
from streams.topics import TopicNames, topic_specs

__all__ = ["Check", "Verdict", "report", "run_checks"]

_SEVERE = ("ERR", "STOP", "STALL", "REWIND")


class Verdict(StrEnum):
    OK = "ok"
    FAIL = "fail"
    SKIP = "skip"  # could not be checked here, and says why; not a failure


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    verdict: Verdict
    detail: str
    todo: str = ""  # what to do when it is not OK

    def as_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}


def _fail(name: str, detail: str, todo: str) -> Check:
    return Check(name, Verdict.FAIL, detail, todo)


async def _broker(settings: Settings) -> Check:
    from streams.connection import diagnose

    problem = await diagnose(settings.bootstrap_servers, settings.security, timeout=10.0)
    if problem is not None:
        return _fail("broker", problem, "fix the setting named above (--broker, "
                     "--client-config) or start the broker")
    return Check("broker", Verdict.OK, f"{settings.broker} answers "
                 f"({settings.security.security_protocol})")


async def _topics(settings: Settings, names: TopicNames) -> Check:
    from streams.observability.health import spec_check

    specs = topic_specs(names, settings.partitions)
    problems = await spec_check(settings.bootstrap_servers, specs, security=settings.security)
    if not problems:
        return Check("topics", Verdict.OK, f"{len(specs)} topics match their specs")
    missing = [p for p in problems if p.endswith(": missing")]
    todo = ("run `logwarden topics create`" if missing else
            "compare with `logwarden topics check` and alter the topics to match")
    shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more"
                                       if len(problems) > 3 else "")
    return _fail("topics", shown, todo)


async def _acls(settings: Settings, names: TopicNames, principal: str) -> Check:
    from aiokafka import errors as kafka_errors
    from aiokafka.admin import AIOKafkaAdminClient

    from streams.acls import Principals, live_acls, plan_acls

    planned = plan_acls(names, topic_specs(names, settings.partitions),
                        Principals(worker=principal))
    needed = {acl for acl in planned if acl.principal == principal}
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers,
                                client_id="logwarden-doctor", request_timeout_ms=15000,
                                **settings.security.aiokafka_kwargs())
    await admin.start()
    try:
        live = await live_acls(admin)
    except kafka_errors.SecurityDisabled:
        return Check("acls", Verdict.SKIP, "skipped: the broker has no authorizer, so ACLs "
                     "are not enforced")
    except (kafka_errors.ClusterAuthorizationFailedError,
            kafka_errors.TopicAuthorizationFailedError):
        return Check("acls", Verdict.SKIP, f"skipped: {principal} is not authorized to "
                     "describe ACLs", "an admin can run `logwarden acls check`")
    finally:
        await admin.close()
    missing = sorted(needed - live)
    if missing:
        return _fail("acls", f"{len(missing)} of {len(needed)} ACLs for {principal} missing, "
                     f"e.g. {missing[0]}", "an admin runs `logwarden acls apply` "
                     "(`logwarden acls plan` lists them)")
    return Check("acls", Verdict.OK, f"{len(needed)} ACLs for {principal} present")


def _keys(env: Mapping[str, str]) -> list[Check]:
    from redactors.errors import LogwardenError
    from redactors.pseudonym import KEY_FILE_ENV, KEYS_ENV, PseudonymKeyring
    from redactors.suppression import KEY_ENV, SubjectHasher
    from redactors.suppression import KEY_FILE_ENV as SUPPRESSION_FILE_ENV

    checks = []
    try:
        ring = PseudonymKeyring.from_env(env)
        checks.append(Check("pseudonym keys", Verdict.OK,
                            f"current key id {ring.current_id!r}, well formed"))
    except LogwardenError as exc:
        checks.append(_fail("pseudonym keys", str(exc), f"set ${KEYS_ENV} or ${KEY_FILE_ENV} "
                            "to 'kid:base64key' lines of >= 32 random bytes"))
    try:
        hasher = SubjectHasher.from_env(env)
        checks.append(Check("suppression key", Verdict.OK,
                            f"key id {hasher.key_id!r}, well formed"))
    except LogwardenError as exc:
        checks.append(_fail("suppression key", str(exc), f"set ${KEY_ENV} or "
                            f"${SUPPRESSION_FILE_ENV} to 'kid:base64key' (>= 32 random bytes)"))
    return checks


def _policy(settings: Settings) -> Check:
    from redactors.errors import LogwardenError
    from redactors.policy import default_policy_path, load_policy

    path = settings.policy_path or str(default_policy_path())
    try:
        loaded = load_policy(path)
    except LogwardenError as exc:
        return _fail("policy", str(exc), f"fix it; `logwarden policy check {path}` "
                     "repeats this")
    return Check("policy", Verdict.OK, f"{path}: version {loaded.version}, "
                 f"{len(loaded.categories)} categories")


async def _consent(settings: Settings, names: TopicNames) -> Check:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None,
                                enable_auto_commit=False, client_id="logwarden-doctor",
                                **settings.security.aiokafka_kwargs())
    await consumer.start()
    try:
        # A fresh metadata read: the consumer's own cache only holds assigned topics.
        cluster = await consumer._client.fetch_all_metadata()
        parts = cluster.partitions_for_topic(names.consent) or set()
        if not parts:
            return _fail("consent topic", f"{names.consent}: not found",
                         "run `logwarden topics create`")
        tps = [TopicPartition(names.consent, p) for p in sorted(parts)]
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        held = sum(ends[tp] - starts[tp] for tp in tps)
        if held:
            await consumer.seek_to_beginning(*tps)
            await consumer.getmany(*tps, timeout_ms=3000, max_records=1)
    finally:
        await consumer.stop()
    return Check("consent topic", Verdict.OK, f"{names.consent}: readable, {len(tps)} "
                 f"partitions, {held} records")


async def _group(settings: Settings, names: TopicNames) -> Check:
    from streams.observability.lag import LagSampler

    sampler = LagSampler(settings.bootstrap_servers, settings.data_group, [names.raw],
                         security=settings.security)
    try:
        snap = await sampler.sample()
    finally:
        await sampler.close()
    if snap is None:
        return _fail("worker group", f"cannot read group {settings.data_group}: "
                     f"{sampler.last_error}", "check the group's ACLs (`logwarden acls plan`)")
    status = snap.status.name
    detail = (f"group {settings.data_group}: {snap.members} members, status {status}, "
              f"lag {snap.sum_lag} records, {snap.max_lag_seconds:.0f} s")
    if snap.members == 0:
        return _fail("worker group", detail, "start `logwarden worker` (no member consumes "
                     f"{names.raw})")
    if status in _SEVERE:
        return _fail("worker group", detail, "see `logwarden lag` and the worker's /status")
    return Check("worker group", Verdict.OK, detail)


async def _guarded(name: str, work: Callable[[], Awaitable[Check]],
                   settings: Settings) -> Check:
    """A check that raised: its verdict is the error, explained like every command's."""
    from streams.connection import explain

    try:
        return await asyncio.wait_for(work(), timeout=60)
    except Exception as exc:
        reason = await explain(exc, settings.bootstrap_servers, settings.security)
        return _fail(name, reason, "fix the cause named above, then run the doctor again")


async def run_checks(settings: Settings, env: Mapping[str, str], *,
                     principal: str) -> list[Check]:
    """Every check, in order; with the broker unreachable, those that need it are skipped."""
    names = TopicNames(prefix=settings.topic_prefix, app_id=settings.app_id)
    broker = await _guarded("broker", lambda: _broker(settings), settings)
    checks = [broker]
    online: list[tuple[str, Callable[[], Awaitable[Check]]]] = [
        ("topics", lambda: _topics(settings, names)),
        ("acls", lambda: _acls(settings, names, principal))]
    later: list[tuple[str, Callable[[], Awaitable[Check]]]] = [
        ("consent topic", lambda: _consent(settings, names)),
        ("worker group", lambda: _group(settings, names))]
    for name, work in online:
        checks.append(await _offline_or(name, work, broker, settings))
    checks += _keys(env)
    checks.append(_policy(settings))
    for name, work in later:
        checks.append(await _offline_or(name, work, broker, settings))
    return checks


async def _offline_or(name: str, work: Callable[[], Awaitable[Check]], broker: Check,
                      settings: Settings) -> Check:
    if broker.verdict is not Verdict.OK:
        return _fail(name, "not checked: the broker is unreachable", "fix the broker first")
    return await _guarded(name, work, settings)


def report(checks: list[Check]) -> dict[str, Any]:
    return {"ok": all(c.verdict is not Verdict.FAIL for c in checks),
            "checks": [c.as_dict() for c in checks]}
