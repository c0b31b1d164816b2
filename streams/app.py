"""Build the Faust application and its ingest agent."""

from __future__ import annotations

import logging
from typing import Any

import faust

from redactors.network import truncate_ip
from schemas import codec
from streams.settings import Settings
from streams.topics import TopicNames

__all__ = ["create_app"]

log = logging.getLogger(__name__)

_IP_FIELDS = ("ip", "client_ip", "remote_addr", "ip_address")


def _slice_redact(event: dict[str, Any]) -> dict[str, Any] | None:
    """Foundation slice: truncate IP fields; anything uncertain is withheld."""
    out = dict(event)
    for field in _IP_FIELDS:
        if field in out:
            try:
                out[field] = truncate_ip(str(out[field]))
            except ValueError:
                return None
    return out


def create_app(settings: Settings) -> faust.App:
    """Return a configured Faust app with the ingest agent attached."""
    names = TopicNames(prefix=settings.topic_prefix)
    app = faust.App(
        settings.app_id,
        broker=settings.broker_urls,
        store="memory://",
        topic_partitions=settings.partitions,
        web_port=settings.web_port,
        web_host=settings.web_host,
        datadir=settings.data_dir,
        processing_guarantee="exactly_once" if settings.exactly_once else "at_least_once",
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=10.0,
        broker_heartbeat_interval=1.0,
    )
    raw = app.topic(names.raw, value_serializer="raw", key_serializer="raw")
    analytics = app.topic(names.analytics, value_serializer="raw", key_serializer="raw")

    @app.agent(raw, name="ingest")
    async def ingest(stream: Any) -> None:
        async for event in stream.events():
            try:
                parsed = codec.loads(event.value)
            except codec.DecodeError:
                continue
            if not isinstance(parsed, dict):
                continue
            redacted = _slice_redact(parsed)
            if redacted is not None:
                await analytics.send(key=event.key, value=codec.dumps(redacted))

    return app
