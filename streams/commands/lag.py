"""`logwarden lag`: per-partition lag, time lag and Burrow status, read from the broker."""

from __future__ import annotations

import asyncio
import logging
import logging.config
import os
import sys

import click

from streams.commands.options import broker_option, client_config_option, topic_prefix_option
from streams.security import ClientSecurity
from streams.settings import Settings

__all__ = ["lag"]

_HEADER = ("TOPIC", "PARTITION", "COMMITTED", "LATEST", "LAG", "LAG-SECONDS", "STATUS")


def _cell(value: object, digits: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


@click.command()
@broker_option
@topic_prefix_option
@click.option("--group", default=lambda: os.environ.get("LOGWARDEN_APP_ID", "logwarden"),
              show_default="$LOGWARDEN_APP_ID or logwarden", help="Consumer group (app id).")
@click.option("--max", "max_lag", type=click.IntRange(min=0), default=None,
              help="Exit 1 when any partition lags by more than N records.")
@click.option("--max-seconds", type=click.FloatRange(min=0), default=None,
              help="Exit 1 when any partition's oldest unprocessed record is older than S s.")
@click.option("--samples", type=click.IntRange(min=1), default=3, show_default=True,
              help="Readings taken for the status window.")
@click.option("--interval", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between readings.")
@click.option("--serve", "serve_port", type=click.IntRange(0, 65535), default=None,
              help="Keep sampling and serve Prometheus metrics on this port instead.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for --serve.")
@client_config_option
def lag(broker: str, topic_prefix: str, group: str, max_lag: int | None,
        max_seconds: float | None, samples: int, interval: float, serve_port: int | None,
        host: str, security: ClientSecurity) -> None:
    """Show the group's lag per partition (works without a running worker)."""
    from streams.observability.lag import LagSampler
    from streams.observability.logging import json_logging_config
    from streams.observability.standalone import sample_repeatedly, serve_lag

    if serve_port is not None:
        logging.config.dictConfig({**json_logging_config(), "merge": False,
                                   "root": {"level": "INFO", "handlers": ["default"]}})
    else:  # a table and one error line: library connection chatter stays out
        logging.disable(logging.ERROR)
    settings = Settings(broker=broker, topic_prefix=topic_prefix, app_id=group,
                        security=security)
    sampler = LagSampler(settings.bootstrap_servers, group, [f"{topic_prefix}logs.raw"],
                         min_distance=0, security=security)
    if serve_port is not None:
        asyncio.run(serve_lag(sampler, host=host, port=serve_port, interval=interval))
        return
    snap = asyncio.run(sample_repeatedly(sampler, samples, interval))
    if snap is None:
        from streams.connection import diagnose

        reason = asyncio.run(diagnose(settings.bootstrap_servers, security))
        raise click.ClickException(f"cannot read offsets from {broker}: "
                                   f"{reason or sampler.last_error}")
    if not snap.committed:
        raise click.ClickException(f"group {group} has no committed offsets")
    rows = [_HEADER] + [
        (p.topic, str(p.partition), _cell(p.committed), _cell(p.latest), _cell(p.lag),
         _cell(p.lag_seconds, 1), p.status.name) for p in snap.partitions]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    click.echo(f"group {group}: {snap.status.name}, members {snap.members}, "
               f"max lag {snap.max_lag}, max time lag {snap.max_lag_seconds:.1f} s")
    crossed = [p for p in snap.committed
               if (max_lag is not None and (p.lag or 0) > max_lag)
               or (max_seconds is not None and (p.lag_seconds or 0.0) > max_seconds)]
    if crossed:
        click.echo(f"threshold crossed on {len(crossed)} partition(s)", err=True)
        sys.exit(1)
