"""`logwarden acls plan|apply|check`: least-privilege ACLs as code, from the topic specs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from streams.commands.options import (
    app_id_option,
    broker_error,
    broker_option,
    client_config_option,
    topic_prefix_option,
)
from streams.commands.runtime import quiet_kafka_client
from streams.security import ClientSecurity

__all__ = ["acls"]

T = TypeVar("T")


def _principals(command: Any) -> Any:
    for role, default in (("worker", "worker"), ("emitter", "emitter"),
                          ("analytics", "analytics"), ("privacy", "privacy")):
        command = click.option(f"--{role}-principal", f"{role}_principal",
                               default=f"User:{default}", show_default=True,
                               help=f"Kafka principal of the {role} role.")(command)
    command = click.option("--analytics-group", default="analytics", show_default=True,
                           help="Prefix of the analytics consumer's group ids.")(command)
    command = click.option("--partitions", type=click.IntRange(min=1), default=4,
                           show_default=True, help="Partitions of every topic.")(command)
    command = topic_prefix_option(command)
    return app_id_option(command)


def _plan(kwargs: dict[str, Any]) -> tuple[Any, list[Any]]:
    from streams.acls import Principals, plan_acls
    from streams.topics import TopicNames, topic_specs

    principals = Principals(worker=kwargs["worker_principal"],
                            emitter=kwargs["emitter_principal"],
                            analytics=kwargs["analytics_principal"],
                            privacy=kwargs["privacy_principal"],
                            analytics_group=kwargs["analytics_group"])
    names = TopicNames(prefix=kwargs["topic_prefix"], app_id=kwargs["app_id"])
    return principals, plan_acls(names, topic_specs(names, kwargs["partitions"]), principals)


def _with_admin(broker: str, security: ClientSecurity,
                work: Callable[[Any], Awaitable[T]], doing: str) -> T:
    from aiokafka.admin import AIOKafkaAdminClient

    from streams.settings import Settings

    bootstrap = Settings(broker=broker, security=security).bootstrap_servers

    async def run() -> T:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000,
                                    **security.aiokafka_kwargs())
        await admin.start()
        try:
            return await work(admin)
        finally:
            await admin.close()

    quiet_kafka_client()
    try:
        return asyncio.run(run())
    except Exception as exc:  # one line naming the setting or ACL at fault
        raise broker_error(doing, broker, exc, security) from None


@click.group()
def acls() -> None:
    """Least-privilege ACLs for the worker, emitting services, analytics consumers and the
    privacy team, derived from the topic specs (README "ACLs")."""


@acls.command()
@_principals
def plan(**kwargs: Any) -> None:
    """Print every ACL the four principals need, one per line."""
    planned = _plan(kwargs)[1]
    for acl in planned:
        click.echo(str(acl))


@acls.command()
@broker_option
@client_config_option
@_principals
def apply(broker: str, security: ClientSecurity, **kwargs: Any) -> None:
    """Create the planned ACLs the broker lacks (needs an admin principal); extra ACLs are
    left alone and reported by `check`."""
    from streams.acls import apply_acls

    principals, planned = _plan(kwargs)
    created = _with_admin(broker, security, lambda admin: apply_acls(admin, planned, principals),
                          f"create ACLs on {broker}")
    for acl in created:
        click.echo(f"created {acl}")
    click.echo(f"{len(created)} created, {len(planned) - len(created)} already present")


@acls.command()
@broker_option
@client_config_option
@_principals
def check(broker: str, security: ClientSecurity, **kwargs: Any) -> None:
    """Compare the broker's ACLs for the four principals with the plan; exit 1 on drift."""
    from streams.acls import check_acls

    principals, planned = _plan(kwargs)
    drifts = _with_admin(broker, security, lambda admin: check_acls(admin, planned, principals),
                         f"read ACLs from {broker}")
    for drift in drifts:
        click.echo(f"drift: {drift}", err=True)
    if drifts:
        raise SystemExit(1)
    click.echo(f"{len(planned)} ACLs match the plan")
