"""The `logwarden` command line: one group, subcommands registered explicitly."""

from __future__ import annotations

import sys
from typing import Any

import click

from streams.commands.acls import acls
from streams.commands.consent import consent
from streams.commands.correct import correct
from streams.commands.export import export
from streams.commands.forget import forget
from streams.commands.lag import lag
from streams.commands.policy import policy
from streams.commands.redact import redact
from streams.commands.risk import risk
from streams.commands.sink import sink
from streams.commands.topics import topics
from streams.commands.worker import worker

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="logwarden")
def cli() -> None:
    """logwarden: enforce a privacy policy on application logs flowing through Kafka."""


# Register each subcommand here, one line per module in streams/commands/.
cli.add_command(acls)
cli.add_command(consent)
cli.add_command(correct)
cli.add_command(export)
cli.add_command(forget)
cli.add_command(lag)
cli.add_command(policy)
cli.add_command(redact)
cli.add_command(risk)
cli.add_command(sink)
cli.add_command(topics)
cli.add_command(worker)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point."""
    return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="logwarden")
