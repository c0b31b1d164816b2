"""Worker settings: read from the environment in exactly one place."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from streams.dataplane.faults import FAULT_SPEC
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
    # Fault tests only: `before-commit:N` raises once between produce and commit
    # (streams/dataplane/faults.py).
    inject_fault: str | None = Field(default=None, pattern=FAULT_SPEC)
    # Repeated log records (same logger, level and template): one summary per interval.
    log_collapse_interval: float = Field(default=60.0, gt=0)
    # The consent view's state (streams/state): an LMDB store under state_dir ("" means
    # data_dir/state; `--processes N` share one), a cache of this many subjects per process,
    # and how old a checkpoint's last caught-up moment may be (under the consent topic's
    # delete.retention.ms, one day by default) before a restart reads the whole topic.
    consent_store: Literal["lmdb", "memory"] = "lmdb"
    state_dir: str = ""
    consent_cache: int = Field(default=200_000, ge=2)
    state_map_size: int = Field(default=64 << 30, ge=1 << 20)  # address space, not disk
    checkpoint_max_age: float = Field(default=12 * 3600.0, gt=0)
    # The per-subject data keys (streams/state/keys.py): the same kind of store beside it,
    # wrapped under the suppression key, and a cache of this many (partition, subject) keys.
    key_store: Literal["lmdb", "memory"] = "lmdb"
    key_cache: int = Field(default=200_000, ge=2)
    # The suppression list (streams/state/suppression.py): the same kind of store, and a
    # cache of this many subjects' "suppressed or not" per process.
    suppression_store: Literal["lmdb", "memory"] = "lmdb"
    suppression_cache: int = Field(default=200_000, ge=2)
    # TLS and SASL for every client: `**settings.security.aiokafka_kwargs()` (streams/security.py)
    security: ClientSecurity = Field(default_factory=load_security)

    @property
    def data_group(self) -> str:
        """The data plane's consumer group: the app id, so lag on logs.raw reads as
        `kafka_consumergroup_group_lag{group="<app id>"}`."""
        return self.app_id

    @property
    def control_group(self) -> str:
        """Faust's consumer group (the rights agent)."""
        return f"{self.app_id}-control"

    @property
    def state_path(self) -> str:
        return self.state_dir or str(Path(self.data_dir) / "state")

    @property
    def broker_urls(self) -> str:
        return self.broker

    @property
    def bootstrap_servers(self) -> str:
        """host:port list for raw aiokafka clients (no kafka:// scheme)."""
        return ",".join(
            url.split("://", 1)[-1] for url in self.broker.replace(";", ",").split(",") if url
        )
