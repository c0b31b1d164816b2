"""`logwarden doctor`: check, in order, what a worker needs; say what to do about each."""

from __future__ import annotations

import asyncio
import os
import sys

import click

from streams.commands.options import (
    app_id_option,
    broker_option,
    client_config_option,
    policy_option,
    topic_prefix_option,
)
from streams.commands.runtime import quiet_kafka_client
from streams.security import ClientSecurity

__all__ = ["doctor"]

_MARK = {"ok": "OK  ", "fail": "FAIL", "skip": "SKIP"}


@click.command()
@broker_option
@topic_prefix_option
@app_id_option
@policy_option()
@click.option("--partitions", type=click.IntRange(min=1), default=None,
              help="Partitions of every topic (default: $LOGWARDEN_PARTITIONS or 4).")
@click.option("--principal", default=None,
              help="Kafka principal whose ACLs to check (default: User:<sasl.username>, "
                   "else User:worker).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document, for machines.")
@client_config_option
def doctor(broker: str, topic_prefix: str, app_id: str, policy_path: str | None,
           partitions: int | None, principal: str | None, as_json: bool,
           security: ClientSecurity) -> None:
    """Check the broker, topics, ACLs, keys, policy, consent topic and worker group.

    One line per check: OK, or FAIL with what to do (SKIP says why it could not be
    checked). Exit 0 only when no check fails. Keys are never printed.
    """
    from redactors import codec
    from streams.doctor import report, run_checks
    from streams.settings import Settings

    settings = Settings(broker=broker, topic_prefix=topic_prefix, app_id=app_id,
                        security=security)
    if policy_path is not None or partitions is not None:
        settings = settings.model_copy(update={
            "policy_path": policy_path or settings.policy_path,
            "partitions": partitions or settings.partitions})
    who = principal or f"User:{security.sasl_username or 'worker'}"
    quiet_kafka_client()
    checks = asyncio.run(run_checks(settings, os.environ, principal=who))
    result = report(checks)
    if as_json:
        sys.stdout.write(codec.dumps(result).decode() + "\n")
    else:
        width = max(len(c.name) for c in checks)
        for check in checks:
            line = f"{_MARK[check.verdict.value]}  {check.name:<{width}}  {check.detail}"
            click.echo(line + (f"\n      {'':<{width}}  -> {check.todo}" if check.todo
                               and check.verdict.value != "ok" else ""))
    raise SystemExit(0 if result["ok"] else 1)
