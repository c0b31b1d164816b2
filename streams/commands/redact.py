"""`logwarden redact`: the engine without Kafka, over JSONL (non-JSON lines are text events).

The command parses options and reports; streams/embedded/ does the run."""

from __future__ import annotations

import os
from pathlib import Path

import click

from redactors.errors import LogwardenError
from redactors.result import Outcome
from streams.commands.options import policy_option
from streams.embedded.lines import plain_size
from streams.embedded.progress import LineProgress
from streams.embedded.run import redact_file

__all__ = ["redact"]

_PARALLEL_BYTES = 4 << 20


def _workers_for(source: str, workers: int) -> int:
    """0 = automatic: every core for files of a few MiB and more, else in process."""
    if workers > 0:
        return workers
    try:
        big = source != "-" and os.path.getsize(source) >= _PARALLEL_BYTES
    except OSError:
        big = False
    return min(os.cpu_count() or 1, 8) if big else 1


def _notice(text: str) -> None:
    click.echo(f"logwarden redact: {text}", err=True)


@click.command()
@click.argument("source", default="-", metavar="[FILE|-]")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory for analytics.jsonl, identifiable.jsonl, deadletter.jsonl.")
@policy_option(help="Policy YAML (default: the built-in policy).")
@click.option("--consent", "consent_path", type=click.Path(dir_okay=False),
              help="Consent events, one JSON object per line (subject_id, analytics, ...).")
@click.option("--keys", "key_file", type=click.Path(dir_okay=False),
              help="Pseudonym key file ('kid:base64key' lines, first is current); default "
                   "$LOGWARDEN_PSEUDONYM_KEYS or $LOGWARDEN_PSEUDONYM_KEY_FILE.")
@click.option("--deadletter-raw/--no-deadletter-raw", default=False, show_default=True,
              help="Copy the raw bad line into deadletter.jsonl (it may hold personal data).")
@click.option("--data-keys", "data_keys_path", type=click.Path(dir_okay=False),
              help="Write the per-subject data keys here (mode 0600) so identifiable.jsonl "
                   "can be decrypted later; by default they die with the run.")
@click.option("--workers", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes routing events (order is kept); 0: one per core for inputs "
                   "of 4 MiB and more.")
@click.option("--quiet", is_flag=True, help="No progress or notices on stderr.")
def redact(source: str, out_dir: str, policy_path: str | None, consent_path: str | None,
           key_file: str | None, deadletter_raw: bool, data_keys_path: str | None,
           workers: int, quiet: bool) -> None:
    """Run the privacy engine over JSONL from FILE (or stdin) without Kafka."""
    try:
        routes, categories = redact_file(
            source, Path(out_dir), policy_path=policy_path, consent_path=consent_path,
            key_file=key_file, keep_raw=deadletter_raw, data_keys_path=data_keys_path,
            processes=_workers_for(source, workers),
            notice=None if quiet else _notice,
            bar=LineProgress(plain_size(source), enabled=False if quiet else None))  # TTY only
    except LogwardenError as exc:
        raise click.ClickException(str(exc)) from None
    total = sum(routes[o.value] for o in Outcome)
    click.echo(f"events: {total}")
    for outcome in Outcome:
        click.echo(f"  {outcome.value}: {routes[outcome.value]}")
        for key in sorted(k for k in routes if k.startswith(f"{outcome.value}:")):
            click.echo(f"    {key.split(':', 1)[1]}: {routes[key]}")
    click.echo("categories (events):")
    for category, count in sorted(categories.items()):
        click.echo(f"  {category}: {count}")

