"""`logwarden worker`: run a Faust stream worker."""

from __future__ import annotations

import asyncio

import click

from streams.commands.options import (
    app_id_option,
    broker_error,
    broker_option,
    client_config_option,
    topic_prefix_option,
)
from streams.security import ClientSecurity

__all__ = ["worker"]


@click.command()
@broker_option
@topic_prefix_option
@app_id_option
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
              default=None, help="Policy YAML (default: the shipped policy).")
@click.option("--exactly-once", is_flag=True, help="Kafka transactions (read_committed).")
@click.option("--partitions", type=click.IntRange(min=1), default=4, show_default=True,
              help="Partitions of every topic (must match the live topics).")
@click.option("--web-port", type=click.IntRange(1, 65535), default=6066, show_default=True,
              help="HTTP port.")
@click.option("--data-dir", default=".logwarden-data", show_default=True, help="Worker state.")
@click.option("--loglevel", default="info", show_default=True, help="Worker log level.")
@client_config_option
def worker(broker: str, topic_prefix: str, app_id: str, policy_path: str | None,
           exactly_once: bool, partitions: int, web_port: int, data_dir: str,
           loglevel: str, security: ClientSecurity) -> None:
    """Run a stream worker: consume raw logs and route redacted events."""
    import faust

    from redactors.errors import LogwardenError
    from streams.admin import create_topics
    from streams.app import create_pipeline
    from streams.settings import Settings
    from streams.topics import topic_specs

    settings = Settings(broker=broker, web_port=web_port, topic_prefix=topic_prefix,
                        app_id=app_id, data_dir=data_dir, exactly_once=exactly_once,
                        partitions=partitions, policy_path=policy_path, security=security)
    try:
        pipeline = create_pipeline(settings)
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    try:  # before Faust declares them with its own defaults
        asyncio.run(create_topics(settings.bootstrap_servers,
                                  topic_specs(pipeline.names, settings.partitions),
                                  security=settings.security))
    except Exception as exc:
        raise broker_error(f"create topics on {broker}", broker, exc, settings.security) from None
    faust.Worker(pipeline.app, loglevel=loglevel).execute_from_commandline()
