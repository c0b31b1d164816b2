"""Options shared by several commands."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from streams.security import ClientSecurity, SecurityError, load_security
from streams.settings import DEFAULT_BROKER

__all__ = ["app_id_option", "broker_error", "broker_option", "client_config_option",
           "policy_option", "topic_prefix_option"]

F = TypeVar("F", bound=Callable[..., Any])

broker_option = click.option(
    "--broker",
    default=lambda: os.environ.get("LOGWARDEN_BROKER", DEFAULT_BROKER),
    show_default="$LOGWARDEN_BROKER or " + DEFAULT_BROKER,
    help="Kafka bootstrap URL(s), e.g. kafka://127.0.0.1:9092.",
)

topic_prefix_option = click.option(
    "--topic-prefix",
    default=lambda: os.environ.get("LOGWARDEN_TOPIC_PREFIX", ""),
    help="Prefix for every topic name (default $LOGWARDEN_TOPIC_PREFIX or none).",
)

def policy_option(
        help: str = "Policy YAML (default: $LOGWARDEN_POLICY_PATH or the shipped policy).",
) -> Callable[[F], F]:
    """`--policy PATH` into `policy_path`: every command that loads a policy."""
    return click.option("--policy", "policy_path", type=click.Path(dir_okay=False),
                        default=None, help=help)


app_id_option = click.option(
    "--app-id",
    default=lambda: os.environ.get("LOGWARDEN_APP_ID", "logwarden"),
    show_default="$LOGWARDEN_APP_ID or logwarden",
    help="Faust app id: the consumer group and the prefix of table changelogs.",
)


def _security(ctx: click.Context, _param: click.Parameter, value: str | None) -> ClientSecurity:
    ctx.meta["logwarden.client_config"] = value  # the path, for child processes
    try:
        return load_security(config_file=value)
    except SecurityError as exc:
        raise click.ClickException(str(exc)) from None


client_config_option = click.option(
    "--client-config", "security", type=click.Path(dir_okay=False), default=None,
    callback=_security, expose_value=True,
    help="Kafka client.properties (security.protocol, sasl.mechanism, sasl.jaas.config, "
         "ssl.ca.location, ...); default $LOGWARDEN_CLIENT_CONFIG. LOGWARDEN_SECURITY_PROTOCOL, "
         "LOGWARDEN_SASL_* and LOGWARDEN_SSL_* override it; passwords come only from the "
         "file, $LOGWARDEN_SASL_PASSWORD or $LOGWARDEN_SASL_PASSWORD_FILE.",
)


def broker_error(doing: str, broker: str, exc: BaseException,
                 security: ClientSecurity) -> click.ClickException:
    """`cannot <doing>: <reason>`, the reason naming the setting or ACL at fault
    (streams.connection); no traceback, no secret."""
    from streams.connection import explain_sync
    from streams.settings import Settings

    bootstrap: Any = Settings(broker=broker, security=security).bootstrap_servers
    return click.ClickException(f"cannot {doing}: {explain_sync(exc, bootstrap, security)}")
