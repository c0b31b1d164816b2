"""`logwarden export SUBJECT`: the right of access, as one portable JSON document."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from schemas.rights import RequestType
from streams.commands._rights import (
    new_request,
    quiet_kafka_client,
    request_options,
    submit_and_report,
)
from streams.commands.options import (
    app_id_option,
    broker_error,
    broker_option,
    client_config_option,
    topic_prefix_option,
)
from streams.security import ClientSecurity

__all__ = ["export"]


@click.command()
@click.argument("subject")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the document here (owner-readable only) instead of stdout.")
@click.option("--via-worker", is_flag=True,
              help="Submit an access request instead; the worker writes the export and "
                   "its receipt names the file.")
@broker_option
@topic_prefix_option
@app_id_option
@client_config_option
@request_options
def export(subject: str, out: Path | None, via_worker: bool, broker: str, topic_prefix: str,
           app_id: str, request_id: str | None, wait: bool, timeout: float,
           security: ClientSecurity) -> None:
    """Export everything held about SUBJECT: identifiable records (decrypted), consent
    history, requests and receipts. Needs $LOGWARDEN_SUPPRESSION_KEY (or its file)."""
    request = new_request(RequestType.ACCESS, subject, request_id)
    if via_worker:
        submit_and_report(broker, topic_prefix, request, wait=wait, timeout=timeout,
                          security=security)
        return
    from redactors import codec
    from redactors.errors import LogwardenError
    from redactors.suppression import SubjectHasher
    from schemas.rights import Receipt, ReceiptStatus, RequestTrigger
    from streams.rights.access import collect_export, export_details, write_export
    from streams.rights.client import publish_receipt
    from streams.rights.handler import rfc3339
    from streams.settings import Settings
    from streams.topics import TopicNames

    try:
        hasher = SubjectHasher.from_env(os.environ)
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    bootstrap = Settings(broker=broker, security=security).bootstrap_servers
    names = TopicNames(prefix=topic_prefix, app_id=app_id)
    received = rfc3339(datetime.now(UTC))
    quiet_kafka_client()
    try:
        document = asyncio.run(collect_export(bootstrap, names, subject, hasher,
                                              generated_at=received, security=security))
    except Exception as exc:  # the broker's errors: one line, no traceback
        raise broker_error(f"read from the broker at {broker}", broker, exc, security) from None
    if out is None:
        data = codec.dumps(document)
        sys.stdout.write(data.decode() + "\n")
        details = export_details(document, data, "stdout")
    else:
        details = write_export(document, out)
        click.echo(f"wrote {details['records']} identifiable records to {out}", err=True)
    receipt = Receipt(
        request_id=request.request_id, type=RequestType.ACCESS, subject=hasher(subject),
        status=ReceiptStatus.COMPLETED, trigger=RequestTrigger.REQUEST, received_at=received,
        completed_at=rfc3339(datetime.now(UTC)), details={"export": details})
    try:
        asyncio.run(publish_receipt(bootstrap, names, receipt.to_dict(), security=security))
    except Exception as exc:
        raise broker_error(f"publish the receipt on {broker}", broker, exc, security) from None
