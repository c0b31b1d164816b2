"""`logwarden forget SUBJECT`: the right to be forgotten, through the worker."""

from __future__ import annotations

import click

from schemas.rights import RequestType
from streams.commands._rights import new_request, request_options, submit_and_report
from streams.commands.options import broker_option, client_config_option, topic_prefix_option
from streams.security import ClientSecurity

__all__ = ["forget"]


@click.command()
@click.argument("subject")
@broker_option
@topic_prefix_option
@client_config_option
@request_options
def forget(subject: str, broker: str, topic_prefix: str, request_id: str | None, wait: bool,
           timeout: float, security: ClientSecurity) -> None:
    """Erase SUBJECT: drop all their later events, shred their data key (their records
    in logs.identifiable become undecryptable), tombstone their consent, and print the
    receipt."""
    submit_and_report(broker, topic_prefix, new_request(RequestType.ERASE, subject, request_id),
                      wait=wait, timeout=timeout, security=security)
