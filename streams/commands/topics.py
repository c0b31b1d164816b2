"""`logwarden topics create|check`: the topics as code, applied to or compared with a broker."""

from __future__ import annotations

import asyncio

import click

from streams.admin import check_topics, create_topics
from streams.commands.options import (
    app_id_option,
    broker_error,
    broker_option,
    client_config_option,
    policy_option,
    topic_prefix_option,
)
from streams.commands.runtime import quiet_kafka_client
from streams.security import ClientSecurity
from streams.settings import Settings
from streams.topics import Retention, TopicNames, TopicSpec, topic_specs

__all__ = ["topics"]

_partitions_option = click.option("--partitions", type=click.IntRange(min=1), default=4,
                                  show_default=True, help="Partitions of every topic.")


_policy_option = policy_option(
    help="Policy whose route retention the topics take (default: the shipped policy).")


def _specs(topic_prefix: str, app_id: str, partitions: int,
           policy_path: str | None) -> list[TopicSpec]:
    from redactors.errors import LogwardenError
    from redactors.policy import load_policy

    try:
        retention = Retention.from_policy(load_policy(policy_path).retention_days)
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    return topic_specs(TopicNames(prefix=topic_prefix, app_id=app_id), partitions, retention)


def _bootstrap(broker: str) -> str:
    return Settings(broker=broker).bootstrap_servers


@click.group()
def topics() -> None:
    """Create the topics or check them against their specs."""


@topics.command()
@broker_option
@topic_prefix_option
@app_id_option
@_partitions_option
@_policy_option
@client_config_option
def create(broker: str, topic_prefix: str, app_id: str, partitions: int,
           policy_path: str | None, security: ClientSecurity) -> None:
    """Create every missing topic (idempotent); existing topics are not changed."""
    specs = _specs(topic_prefix, app_id, partitions, policy_path)
    quiet_kafka_client()
    try:
        created = asyncio.run(create_topics(_bootstrap(broker), specs, security=security))
    except Exception as exc:  # one line for the operator, no traceback
        raise broker_error(f"create topics on {broker}", broker, exc, security) from None
    for spec in specs:
        state = "created" if spec.name in created else "exists"
        click.echo(f"{state:<8} {spec.name}  ({spec.purpose})")


@topics.command()
@broker_option
@topic_prefix_option
@app_id_option
@_partitions_option
@_policy_option
@client_config_option
def check(broker: str, topic_prefix: str, app_id: str, partitions: int,
          policy_path: str | None, security: ClientSecurity) -> None:
    """Compare live partitions and configs with the specs; exit 1 on any drift."""
    specs = _specs(topic_prefix, app_id, partitions, policy_path)
    quiet_kafka_client()
    try:
        drifts = asyncio.run(check_topics(_bootstrap(broker), specs, security=security))
    except Exception as exc:
        raise broker_error(f"read topics from {broker}", broker, exc, security) from None
    for drift in drifts:
        click.echo(f"drift: {drift}", err=True)
    if drifts:
        raise SystemExit(1)
    click.echo(f"{len(specs)} topics match their specs")
