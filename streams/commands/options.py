"""Options shared by several commands."""

from __future__ import annotations

import os

import click

from streams.settings import DEFAULT_BROKER

__all__ = ["app_id_option", "broker_option", "topic_prefix_option"]

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

app_id_option = click.option(
    "--app-id",
    default=lambda: os.environ.get("LOGWARDEN_APP_ID", "logwarden"),
    show_default="$LOGWARDEN_APP_ID or logwarden",
    help="Faust app id: the consumer group and the prefix of table changelogs.",
)
