"""The `logwarden` command line."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from streams.settings import DEFAULT_BROKER, Settings

__all__ = ["main"]

broker_option = click.option(
    "--broker",
    default=lambda: os.environ.get("LOGWARDEN_BROKER", DEFAULT_BROKER),
    show_default="$LOGWARDEN_BROKER or " + DEFAULT_BROKER,
    help="Kafka bootstrap URL(s), e.g. kafka://127.0.0.1:9092.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="logwarden")
def cli() -> None:
    """logwarden: enforce a privacy policy on application logs flowing through Kafka."""


@cli.command()
@broker_option
@click.option("--web-port", type=int, default=6066, show_default=True, help="HTTP port.")
@click.option("--topic-prefix", default="", help="Prefix for every topic name.")
@click.option("--app-id", default="logwarden", show_default=True, help="Consumer group / app id.")
@click.option("--data-dir", default=".logwarden-data", show_default=True, help="Worker state.")
@click.option("--loglevel", default="info", show_default=True, help="Worker log level.")
def worker(broker: str, web_port: int, topic_prefix: str, app_id: str, data_dir: str,
           loglevel: str) -> None:
    """Run a stream worker: consume raw logs and route redacted events."""
    import faust

    from streams.app import create_app

    settings = Settings(broker=broker, web_port=web_port, topic_prefix=topic_prefix,
                        app_id=app_id, data_dir=data_dir)
    app = create_app(settings)
    faust.Worker(app, loglevel=loglevel).execute_from_commandline()


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="logwarden")
