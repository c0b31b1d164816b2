"""`logwarden consent set SUBJECT ...`: produce a consent event to privacy.consent."""

from __future__ import annotations

import asyncio

import click

from redactors.consent import ConsentState
from schemas.consent import encode_consent, now_rfc3339
from streams.commands.options import (
    broker_error,
    broker_option,
    client_config_option,
    topic_prefix_option,
)
from streams.commands.runtime import quiet_kafka_client
from streams.security import ClientSecurity
from streams.settings import Settings
from streams.topics import TopicNames

__all__ = ["consent"]


async def _send(bootstrap: str, topic: str, key: bytes, value: bytes,
                security: ClientSecurity) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                enable_idempotence=True, **security.aiokafka_kwargs())
    try:
        await producer.start()
        await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


@click.group()
def consent() -> None:
    """Record a data subject's consent (services may also emit consent events themselves,
    see schemas/consent.schema.json)."""


@consent.command(name="set")
@click.argument("subject")
@click.option("--analytics/--no-analytics", default=False, show_default=True)
@click.option("--profiling/--no-profiling", default=False, show_default=True)
@click.option("--marketing/--no-marketing", default=False, show_default=True)
@click.option("--birth-year", type=click.IntRange(1900, 2100), default=None)
@click.option("--gpc/--no-gpc", default=False, show_default=True,
              help="Global Privacy Control seen (opt-out of sale and sharing).")
@broker_option
@topic_prefix_option
@client_config_option
def set_consent(subject: str, analytics: bool, profiling: bool, marketing: bool,
                birth_year: int | None, gpc: bool, broker: str, topic_prefix: str,
                security: ClientSecurity) -> None:
    """Produce SUBJECT's consent state, keyed by SUBJECT, to privacy.consent."""
    if not subject.strip():
        raise click.BadParameter("must not be empty", param_hint="SUBJECT")
    state = ConsentState(subject_id=subject, analytics=analytics, profiling=profiling,
                         marketing=marketing, birth_year=birth_year, gpc=gpc,
                         updated_at=now_rfc3339())
    key, value = encode_consent(state)
    topic = TopicNames(prefix=topic_prefix).consent
    quiet_kafka_client()
    bootstrap = Settings(broker=broker, security=security).bootstrap_servers
    try:
        asyncio.run(_send(bootstrap, topic, key, value, security))
    except Exception as exc:  # one line, naming the broker and topic, never the subject
        raise broker_error(f"produce to {topic} on {broker}", broker, exc, security) from None
    click.echo(f"consent recorded on {topic} (updated_at {state.updated_at})")
