"""What a logwarden command accepts, read from its code: environment variables and flags.

Deployment files (Kubernetes, systemd, compose) are checked against these sets, so a
renamed setting fails a test instead of being silently ignored in production.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

from redactors import pseudonym, suppression
from streams import security
from streams.cli import cli
from streams.settings import Settings

_ENV_IN_HELP = re.compile(r"\$(LOGWARDEN_[A-Z_]+)")


def security_env() -> set[str]:
    """TLS/SASL variables (streams/security.py), their *_FILE forms and the config path."""
    names = {security._env_name(prop) for prop in security._PROPERTIES}
    names |= {security._env_name(prop) + "_FILE" for prop in security._SECRETS}
    return names | {security._CONFIG_ENV}


def key_env() -> set[str]:
    return {pseudonym.KEYS_ENV, pseudonym.KEY_FILE_ENV, suppression.KEY_ENV,
            suppression.KEY_FILE_ENV}


def settings_env() -> set[str]:
    """One LOGWARDEN_<FIELD> per field of the worker's settings (security has its own)."""
    return {f"LOGWARDEN_{name.upper()}" for name in Settings.model_fields if name != "security"}


def command(name: str) -> click.Command:
    return cli.commands[name]


def command_env(name: str) -> set[str]:
    """Variables a command reads: the worker's settings, keys and security; for other
    commands those their options name as defaults, plus security."""
    if name == "worker":
        return settings_env() | key_env() | security_env()
    texts = []
    for param in command(name).params:
        texts += [str(getattr(param, "show_default", "") or ""), getattr(param, "help", "") or ""]
    return set(_ENV_IN_HELP.findall(" ".join(texts))) | security_env()


def command_flags(name: str) -> set[str]:
    return {opt for param in command(name).params
            for opt in (*param.opts, *param.secondary_opts) if opt.startswith("-")}


def parse_args(name: str, args: Sequence[str]) -> dict[str, object]:
    """The command's own parser on `args` (types and ranges checked); its parameters."""
    ctx = command(name).make_context(name, list(args))
    return dict(ctx.params)
