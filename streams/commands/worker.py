"""`logwarden worker`: run a stream worker (or several processes of one)."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from streams.commands.options import (
    app_id_option,
    broker_error,
    broker_option,
    client_config_option,
    policy_option,
    topic_prefix_option,
)
from streams.security import ClientSecurity

__all__ = ["worker"]


@click.command()
@broker_option
@topic_prefix_option
@app_id_option
@policy_option()
@click.option("--exactly-once/--at-least-once", "exactly_once", default=None,
              help="Kafka transactions, read_committed (default: $LOGWARDEN_EXACTLY_ONCE "
                   "or at-least-once).")
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Partitions of every topic, must match the live topics "
                   "(default: $LOGWARDEN_PARTITIONS or 4).")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="Data-plane processes on this host, one consumer group; process i "
                   "serves HTTP on web port + i (default: $LOGWARDEN_PROCESSES or 1).")
@click.option("--web-port", type=click.IntRange(1, 65535), default=None,
              help="HTTP port (default: $LOGWARDEN_WEB_PORT or 6066).")
@click.option("--data-dir", default=None,
              help="Worker state (default: $LOGWARDEN_DATA_DIR or .logwarden-data).")
@click.option("--loglevel", default="info", show_default=True, help="Worker log level.")
@client_config_option
def worker(broker: str, topic_prefix: str, app_id: str, loglevel: str,
           security: ClientSecurity, **given: Any) -> None:
    """Run a stream worker: consume raw logs and route redacted events.

    A flag overrides its LOGWARDEN_* environment variable only when it is given.
    """
    from pydantic import ValidationError

    from streams.settings import Settings

    overrides = {name: value for name, value in given.items() if value is not None}
    try:
        settings = Settings(broker=broker, topic_prefix=topic_prefix, app_id=app_id,
                            security=security, **overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                             for e in exc.errors())
        raise click.ClickException(f"bad worker settings: {problems}") from None
    if settings.processes > 1:
        from streams.processes import run_processes

        path = click.get_current_context().meta.get("logwarden.client_config")
        raise SystemExit(run_processes(settings, loglevel, client_config=path))
    _run(settings, loglevel)


def _run(settings: Any, loglevel: str) -> None:
    import faust

    from redactors.errors import LogwardenError
    from streams.admin import create_topics
    from streams.app import create_pipeline
    from streams.topics import Retention, topic_specs

    try:
        pipeline = create_pipeline(settings)
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    try:  # before Faust declares them with its own defaults
        asyncio.run(create_topics(settings.bootstrap_servers,
                                  topic_specs(pipeline.names, settings.partitions,
                                              Retention.from_policy(
                                                  pipeline.engine.policy.retention_days)),
                                  security=settings.security))
    except Exception as exc:
        raise broker_error(f"create topics on {settings.broker}", settings.broker, exc,
                           settings.security) from None
    faust.Worker(pipeline.app, loglevel=loglevel).execute_from_commandline()
