"""`logwarden correct SUBJECT ...`: correct a subject's consent flags or birth year."""

from __future__ import annotations

from typing import Any

import click

from schemas.rights import RequestType
from streams.commands._rights import new_request, request_options, submit_and_report
from streams.commands.options import broker_option, client_config_option, topic_prefix_option
from streams.security import ClientSecurity

__all__ = ["correct"]


@click.command()
@click.argument("subject")
@click.option("--analytics/--no-analytics", default=None, help="Consent to analytics.")
@click.option("--profiling/--no-profiling", default=None,
              help="Consent to profiling; --no-profiling is an objection to profiling.")
@click.option("--marketing/--no-marketing", default=None,
              help="Consent to marketing; --no-marketing is a marketing opt-out.")
@click.option("--gpc/--no-gpc", default=None, help="Global Privacy Control opt-out.")
@click.option("--birth-year", type=click.IntRange(1900, 2200), default=None,
              help="Birth year; under the policy's minimum age the subject is erased.")
@broker_option
@topic_prefix_option
@client_config_option
@request_options
def correct(subject: str, analytics: bool | None, profiling: bool | None,
            marketing: bool | None, gpc: bool | None, birth_year: int | None, broker: str,
            topic_prefix: str, request_id: str | None, wait: bool, timeout: float,
            security: ClientSecurity) -> None:
    """Correct SUBJECT's consent or birth year through the worker; the receipt lists the
    fields that changed."""
    given: dict[str, Any] = {"analytics": analytics, "profiling": profiling,
                             "marketing": marketing, "gpc": gpc, "birth_year": birth_year}
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        raise click.UsageError("nothing to correct: give at least one option")
    submit_and_report(broker, topic_prefix,
                      new_request(RequestType.CORRECT, subject, request_id, changes),
                      wait=wait, timeout=timeout, security=security)
