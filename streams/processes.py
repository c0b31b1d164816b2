"""`logwarden worker --processes N`: N worker processes of one consumer group on a host.

CPython runs one core per process; the data plane's consumer group spreads the raw
partitions over the processes as it would over hosts. Process i gets web port
`web_port + i` and data dir `data_dir/i` (Faust wants one each) but one state dir, so
that the consent store's pages are shared (streams/state); scrape every port
(see the README's scrape config). The parent forwards SIGINT and SIGTERM, and when
one process exits it stops the others and exits with that process's status.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from streams.settings import Settings

__all__ = ["run_processes"]


def _child_env(settings: Settings, index: int, client_config: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if client_config is not None:
        env["LOGWARDEN_CLIENT_CONFIG"] = str(Path(client_config).resolve())
    env.update({
        "LOGWARDEN_BROKER": settings.broker, "LOGWARDEN_TOPIC_PREFIX": settings.topic_prefix,
        "LOGWARDEN_APP_ID": settings.app_id, "LOGWARDEN_PARTITIONS": str(settings.partitions),
        "LOGWARDEN_EXACTLY_ONCE": "true" if settings.exactly_once else "false",
        "LOGWARDEN_WEB_PORT": str(settings.web_port + index),
        "LOGWARDEN_DATA_DIR": str(Path(settings.data_dir) / str(index)),
        "LOGWARDEN_PROCESSES": "1",
        # One consent store per host: LMDB shares its pages between the processes.
        "LOGWARDEN_STATE_DIR": str(Path(settings.state_path).resolve()),
    })
    if settings.policy_path is not None:
        env["LOGWARDEN_POLICY_PATH"] = settings.policy_path
    return env


def run_processes(settings: Settings, loglevel: str, *, client_config: str | None = None) -> int:
    """Start the processes and supervise them; returns the exit status."""
    for i in range(settings.processes):  # Faust creates only the last level
        (Path(settings.data_dir) / str(i)).mkdir(parents=True, exist_ok=True)
    stopping = False
    children = [subprocess.Popen(  # noqa: S603  our own CLI, no shell
        [sys.executable, "-m", "streams", "worker", "--loglevel", loglevel],
        env=_child_env(settings, i, client_config)) for i in range(settings.processes)]

    def forward(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.2)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
    codes = [child.returncode for child in children]
    failed = next((code for code in codes if code), 0)
    # A process that ends while nobody asked the worker to stop is a failure.
    return failed or (0 if stopping else 1)
