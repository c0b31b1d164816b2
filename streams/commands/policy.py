"""`logwarden policy check|explain`: validate a policy file and show its treatment matrix."""

from __future__ import annotations

import sys

import click

from redactors.aggregates.explain import render_aggregates
from redactors.consent import ConsentTier
from redactors.errors import PolicyError
from redactors.policy import Policy, default_policy_path, load_policy

__all__ = ["policy"]


@click.group()
def policy() -> None:
    """Check a policy file or explain what it does."""


@policy.command()
@click.argument("file", type=click.Path(dir_okay=False))
def check(file: str) -> None:
    """Report every problem in FILE (file:line: JSON path: what is wrong); exit 1 if any."""
    try:
        loaded = load_policy(file)
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{file}: {len(exc.problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"{file}: ok (policy {loaded.name or '-'} version {loaded.version}, "
               f"{len(loaded.categories)} categories)")


def _cell(loaded: Policy, category_key: str, tier: ConsentTier) -> str:
    treatment = loaded.category(category_key).treatment[tier]
    analytics = "-" if treatment.analytics == "drop" else treatment.analytics
    return analytics + (" +id" if treatment.identifiable == "keep" else "")


def render_matrix(loaded: Policy) -> str:
    """The category x consent-tier table: analytics treatment, `+id` when kept encrypted."""
    tiers = list(ConsentTier)
    header = ["category", *[t.value for t in tiers]]
    rows = [[c.key, *[_cell(loaded, c.key, t) for t in tiers]] for c in loaded.categories]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    retention = ", ".join(f"{route} {days} d" for route, days in loaded.retention_days.items())
    out = [
        f"policy {loaded.name or '-'} version {loaded.version} ({loaded.source})",
        f"honor_dnt={str(loaded.honor_dnt).lower()}  honor_gpc={str(loaded.honor_gpc).lower()}"
        f"  minimum_age={loaded.minimum_age}  default tier={loaded.default_tier.value}",
        f"retention: {retention}"
        + (f"; backups up to {loaded.backup_days} d" if loaded.backup_days is not None else ""),
        "",
        line(header),
        line(["-" * w for w in widths]),
        *[line(row) for row in rows],
        "",
        "cells: analytics treatment ('-' = dropped); '+id' = kept in the identifiable route,"
        " encrypted per subject",
        "unclassified strings: " + loaded.unclassified_strings
        + " (" + ", ".join(loaded.detectors) + ")",
    ]
    quasi = loaded.quasi
    if quasi is not None:
        suppression = (f"on, generalizing {' > '.join(quasi.generalize)}" if quasi.suppression
                       else "off")
        out.append(f"quasi-identifiers (k={quasi.k}, window {quasi.window_seconds:g} s, "
                   f"suppression {suppression}): " + ", ".join(quasi.names))
    return "\n".join(out)


@policy.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def explain(file: str | None) -> None:
    """Print the category x consent-tier treatment matrix of FILE (default: built-in)."""
    try:
        loaded = load_policy(file)
    except PolicyError as exc:
        raise click.ClickException(f"{exc} (run `logwarden policy check` for all)") from None
    click.echo(render_matrix(loaded))
    click.echo(render_aggregates(loaded.aggregates))
    if file is None:
        click.echo(f"(built-in default policy: {default_policy_path()})")
