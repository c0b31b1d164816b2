"""`logwarden suppression rekey`: move the suppression list to a new suppression key."""

from __future__ import annotations

import asyncio
import os

import click

from streams.commands.options import (
    app_id_option,
    broker_error,
    broker_option,
    client_config_option,
    topic_prefix_option,
)
from streams.security import ClientSecurity

__all__ = ["suppression"]


@click.group()
def suppression() -> None:
    """The suppression list (erased subjects and children, by keyed hash)."""


@suppression.command()
@broker_option
@topic_prefix_option
@app_id_option
@client_config_option
def rekey(broker: str, topic_prefix: str, app_id: str, security: ClientSecurity) -> None:
    """Rewrite every entry under the current suppression key.

    The key file ($LOGWARDEN_SUPPRESSION_KEY_FILE) lists the new key first, then the one
    it replaces. Stop the workers first; start them with the same file afterwards.
    """
    from redactors.errors import LogwardenError
    from redactors.suppression import SubjectHasher
    from streams.rights.rekey import rekey_suppression
    from streams.settings import Settings
    from streams.topics import SUPPRESSION_TABLE, TopicNames

    try:
        hasher = SubjectHasher.from_env(os.environ)
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    settings = Settings(broker=broker, topic_prefix=topic_prefix, app_id=app_id,
                        security=security)
    topic = TopicNames(prefix=topic_prefix, app_id=app_id).changelog(SUPPRESSION_TABLE)
    try:
        report = asyncio.run(rekey_suppression(settings.bootstrap_servers, topic, hasher,
                                               security))
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        raise broker_error(f"rekey {topic} on {broker}", broker, exc, security) from None
    click.echo(f"{topic}: {report.entries} entries, {report.rewritten} rewritten under "
               f"key {hasher.key_id}")
