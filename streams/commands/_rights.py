"""What the forget, correct and export commands share: request ids, submit, report."""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

import click

from redactors import codec
from schemas.rights import RequestType, RightsRequest
from streams.commands.options import broker_error
from streams.commands.runtime import quiet_kafka_client
from streams.security import ClientSecurity
from streams.settings import Settings
from streams.topics import TopicNames

__all__ = ["new_request", "quiet_kafka_client", "request_options", "submit_and_report"]


def request_options(command: Any) -> Any:
    """--request-id, --wait/--no-wait and --timeout, for commands that submit a request."""
    command = click.option("--timeout", type=click.FloatRange(min=1), default=60.0,
                           show_default=True, help="Seconds to wait for the receipt.")(command)
    command = click.option("--wait/--no-wait", default=True, show_default=True,
                           help="Wait for the worker's receipt and print it.")(command)
    return click.option("--request-id", default=None,
                        help="Request id (default: a new UUID). Never put PII in it.")(command)


def new_request(kind: RequestType, subject: str, request_id: str | None,
                changes: dict[str, Any] | None = None) -> RightsRequest:
    return RightsRequest(
        request_id=request_id or str(uuid.uuid4()), type=kind, subject_id=subject,
        requested_at=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        changes=changes)


def submit_and_report(broker: str, topic_prefix: str, request: RightsRequest, *, wait: bool,
                      timeout: float, security: ClientSecurity) -> None:
    """Submit; print the receipt as JSON; exit 1 unless it says completed."""
    from schemas.rights import RightsRequestError, parse_request
    from streams.rights.client import submit_request

    try:  # the same validation the worker applies, before anything is sent
        parse_request(request.to_dict())
    except RightsRequestError as exc:
        raise click.ClickException(str(exc)) from None
    bootstrap = Settings(broker=broker, security=security).bootstrap_servers
    names = TopicNames(prefix=topic_prefix)
    quiet_kafka_client()
    try:
        receipt = asyncio.run(submit_request(bootstrap, names, request,
                                             wait=timeout if wait else None,
                                             security=security))
    except Exception as exc:  # the broker's errors: one line, no traceback
        raise broker_error(f"reach the broker at {broker}", broker, exc, security) from None
    if not wait:
        click.echo(f"submitted request {request.request_id}")
        return
    if receipt is None:
        raise click.ClickException(
            f"no receipt for request {request.request_id} within {timeout:g} s; a worker "
            "will still process it (is one running?)")
    sys.stdout.write(codec.dumps(receipt).decode() + "\n")
    if receipt.get("status") != "completed":
        raise click.ClickException(
            f"request {request.request_id} {receipt.get('status')}: {receipt.get('reason')}")
