"""Process-wide settings for one-shot CLI commands."""

from __future__ import annotations

import logging

__all__ = ["quiet_kafka_client"]


def quiet_kafka_client() -> None:
    """The CLI reports broker trouble in one line; aiokafka's own error logs would repeat it."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
