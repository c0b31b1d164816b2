"""`logwarden worker`: run a Faust stream worker."""

from __future__ import annotations

import click

from streams.commands.options import broker_option, topic_prefix_option
from streams.settings import Settings

__all__ = ["worker"]


@click.command()
@broker_option
@topic_prefix_option
@click.option("--web-port", type=int, default=6066, show_default=True, help="HTTP port.")
@click.option("--app-id", default="logwarden", show_default=True, help="Consumer group / app id.")
@click.option("--data-dir", default=".logwarden-data", show_default=True, help="Worker state.")
@click.option("--loglevel", default="info", show_default=True, help="Worker log level.")
def worker(broker: str, topic_prefix: str, web_port: int, app_id: str, data_dir: str,
           loglevel: str) -> None:
    """Run a stream worker: consume raw logs and route redacted events."""
    import faust

    from streams.app import create_app

    settings = Settings(broker=broker, web_port=web_port, topic_prefix=topic_prefix,
                        app_id=app_id, data_dir=data_dir)
    app = create_app(settings)
    faust.Worker(app, loglevel=loglevel).execute_from_commandline()
