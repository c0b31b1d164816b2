"""`logwarden risk`: k-anonymity of analytics records over the policy's quasi-identifiers,
from a window of the analytics topic or a JSONL file that `logwarden redact` wrote."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from redactors import codec
from redactors.errors import PolicyError
from redactors.policy import load_policy
from redactors.risk import K_LEVELS, QuasiSpec, RiskReport, measure
from streams.commands.options import (
    broker_error,
    broker_option,
    client_config_option,
    policy_option,
    topic_prefix_option,
)
from streams.security import ClientSecurity

__all__ = ["render_report", "risk"]


def _file_records(source: str) -> Iterator[Any]:
    path = Path(source)
    if path.is_dir():  # the --out directory of `logwarden redact`
        path = path / "analytics.jsonl"
    try:
        handle = sys.stdin.buffer if source == "-" else path.open("rb")
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        for line in handle:
            if line.strip():
                try:
                    yield codec.loads(line)
                except codec.DecodeError:
                    continue  # a line that is not JSON names nothing: skip it


def _topic_records(broker: str, topic: str, records: int | None, since: float | None,
                   security: ClientSecurity) -> list[dict[str, Any]]:
    from streams.analytics_window import read_window
    from streams.settings import Settings

    bootstrap = Settings(broker=broker, security=security).bootstrap_servers
    logging.disable(logging.ERROR)  # one error line: library connection chatter stays out
    try:
        return asyncio.run(read_window(bootstrap, topic, records=records, since_seconds=since,
                                       security=security))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:
        raise broker_error(f"read {topic}", broker, exc, security) from None


def report_for(spec: QuasiSpec, records: Iterator[Any] | list[dict[str, Any]]) -> RiskReport:
    rows = ((spec.class_of(r), spec.subject_of(r)) for r in records if isinstance(r, dict))
    return measure(rows, spec.names, k_levels=K_LEVELS, k=spec.k)


def render_report(report: RiskReport, spec: QuasiSpec) -> str:
    """The report as text: shares below k, the class-size distribution, the top QI."""
    out = [f"records {report.records}  subjects {report.subjects}  classes {report.classes}",
           "quasi-identifiers: " + ", ".join(spec.names), "",
           "k    records below k      subjects below k"]
    for k in sorted(report.records_below):
        out.append(f"{k:<4} {report.records_below[k]:>7} {report.share_records_below(k):7.1%}"
                   f"      {report.subjects_below[k]:>7} {report.share_subjects_below(k):7.1%}")
    out += ["", "class size (subjects)   classes   records"]
    out += [f"{label:<23} {classes:>7}   {records:>7}"
            for label, classes, records in report.size_distribution]
    out.append("")
    if report.top_contributor is None:
        out.append(f"no quasi-identifier left out brings records below k={report.k} down")
    else:
        out.append(f"most identifying: {report.top_contributor} (left out, records below "
                   f"k={report.k}: {report.records_below[report.k]} -> "
                   f"{report.contribution[report.top_contributor]})")
    return "\n".join(out)


@click.command()
@click.argument("source", required=False, metavar="[FILE|DIR|-]")
@broker_option
@topic_prefix_option
@policy_option(help="Policy file (default: the built-in policy); names the quasi-identifiers.")
@click.option("--records", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Topic window: the newest N records of each partition.")
@click.option("--since", "since_seconds", type=click.FloatRange(min=0, min_open=True),
              default=None, help="Topic window: only records written in the last S seconds.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for machines.")
@client_config_option
def risk(source: str | None, broker: str, topic_prefix: str, policy_path: str | None,
         records: int, since_seconds: float | None, as_json: bool,
         security: ClientSecurity) -> None:
    """Re-identification risk of analytics records: k-anonymity over the policy's
    quasi-identifiers. Reads FILE (analytics.jsonl, or the --out DIR of `logwarden redact`,
    or - for stdin); without FILE, a window of the analytics topic on the broker."""
    try:
        policy = load_policy(policy_path)
    except PolicyError as exc:
        raise click.ClickException(f"{exc} (run `logwarden policy check` for all)") from None
    spec = policy.quasi
    if spec is None:
        raise click.ClickException(f"{policy.source}: the policy names no quasi_identifiers")
    if source is not None:
        report = report_for(spec, _file_records(source))
    else:
        topic = f"{topic_prefix}logs.analytics"
        report = report_for(spec, _topic_records(broker, topic, records, since_seconds,
                                                 security))
    if as_json:
        click.echo(codec.show({"quasi_identifiers": list(spec.names), **report.to_dict()}))
    else:
        click.echo(render_report(report, spec))
