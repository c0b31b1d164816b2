"""Worker settings: read from the environment in exactly one place."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from streams.security import ClientSecurity, load_security

__all__ = ["DEFAULT_BROKER", "Settings"]

DEFAULT_BROKER = "kafka://127.0.0.1:9092"


class Settings(BaseSettings):
    """Everything a worker or CLI command needs to know about its surroundings."""

    model_config = SettingsConfigDict(env_prefix="LOGWARDEN_", frozen=True, extra="forbid")

    broker: str = DEFAULT_BROKER
    app_id: str = "logwarden"
    topic_prefix: str = ""
    partitions: int = Field(default=4, ge=1)
    web_port: int = Field(default=6066, ge=0, le=65535)
    web_host: str = "127.0.0.1"
    data_dir: str = ".logwarden-data"
    exactly_once: bool = False
    policy_path: str | None = None
    processes: int = Field(default=1, ge=1)  # data-plane processes on this host
    # The data plane (streams/dataplane): records per fetch, seconds between commits (and
    # the longest a transaction stays open), events per transaction, producer batching.
    max_poll_records: int = Field(default=1000, ge=1)
    commit_interval: float = Field(default=0.05, gt=0)
    transaction_events: int = Field(default=1000, ge=1)
    linger_ms: int = Field(default=5, ge=0)
    compression: Literal["lz4", "zstd", "gzip", "snappy", "none"] = "lz4"
    # Lag sampler (streams/observability): how often, and Burrow's window and min-distance.
    lag_interval: float = Field(default=5.0, gt=0)
    lag_intervals: int = Field(default=10, ge=2)
    lag_min_distance: float = Field(default=30.0, ge=0)
    # Repeated log records (same logger, level and template): one summary per interval.
    log_collapse_interval: float = Field(default=60.0, gt=0)
    # TLS and SASL for every client: `**settings.security.aiokafka_kwargs()` (streams/security.py)
    security: ClientSecurity = Field(default_factory=load_security)

    @property
    def data_group(self) -> str:
        """The data plane's consumer group: the app id, so lag on logs.raw reads as
        `kafka_consumergroup_group_lag{group="<app id>"}`."""
        return self.app_id

    @property
    def control_group(self) -> str:
        """Faust's consumer group (rights agent, suppression table)."""
        return f"{self.app_id}-control"

    @property
    def broker_urls(self) -> str:
        return self.broker

    @property
    def bootstrap_servers(self) -> str:
        """host:port list for raw aiokafka clients (no kafka:// scheme)."""
        return ",".join(
            url.split("://", 1)[-1] for url in self.broker.replace(";", ",").split(",") if url
        )
