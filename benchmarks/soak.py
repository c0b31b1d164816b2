"""Soak: a steady feed for a long run while the broker and the workers fail, repeatedly.

    python -m benchmarks.soak --minutes 30 --events 100000

Starts a broker of its own (deploy/kafka/kafka.sh, port 9592 by default: nothing else
may use it), an app per guarantee mode (each its own topics and `--workers` workers),
feeds both the same labeled corpus at events/duration a second, and every 30-90 s
strikes one fault at random: broker clean restart, SIGKILL and restart, or a 70 s
outage; worker kill -9 (then restarted), SIGSTOP past the session timeout then SIGCONT,
or SIGTERM (then restarted). After each fault it times how long the group takes to
commit what had arrived by the fault's end. At the end it prints the invariants of
tests/integration (every input in exactly one route or counted dropped, no loss, no
duplicate under exactly-once, per-partition order, no open transaction, no known PII
in analytics, changelogs or the workers' logs, each recovery within 120 s) and exits 1
if one fails.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams.topics import KEYS_TABLE, SUPPRESSION_TABLE
from tests.integration.pipeline_kit import (
    IP_LEAK,
    PARTITIONS,
    PacedFeed,
    names_for,
    open_transactions,
    publish_consent,
    read_all,
    read_outputs,
    setup_topics,
    wait_for_committed_end,
    worker_args,
    worker_env,
)
from tests.kafkit import REPO, WorkerProcess, unique_prefix

KAFKA_SH = REPO / "deploy" / "kafka" / "kafka.sh"
RECOVERY_SECONDS = 120.0
PAUSE_SECONDS = 15.0  # past the workers' 10 s session timeout
READY_SECONDS = 240.0  # a worker's start-up on a loaded machine


@dataclass
class App:
    """One guarantee mode: its topics, its workers, its feed."""

    mode: str
    prefix: str
    workers: list[WorkerProcess] = field(default_factory=list)
    feed: PacedFeed | None = None
    refs: dict[str, int] = field(default_factory=dict)  # source "p:offset" -> seq


class Soak:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.port = args.port
        self.bootstrap = f"127.0.0.1:{args.port}"
        self.workdir = workdir
        self.rng = random.Random(args.seed)
        self.apps = [App(mode, unique_prefix()) for mode in args.modes]
        self.recoveries: list[tuple[str, float]] = []
        self.started = time.monotonic()
        self.killed: set[int] = set()  # ids of the workers the soak stopped on purpose
        self.unexpected_exits = 0
        self.env = {**worker_env(), "LOGWARDEN_SUPPRESSION_KEY": os.environ.get(
            "LOGWARDEN_SUPPRESSION_KEY", f"s1:{base64.b64encode(os.urandom(32)).decode()}")}

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:7.1f} s] {text}", flush=True)

    def kafka_sh(self, *args: str) -> None:
        env = {**os.environ, "KAFKA_PORT": str(self.port), "PYTHON": sys.executable,
               "KAFKA_START_TIMEOUT": "240"}  # a loaded machine restarts slowly
        for _attempt in range(3):  # a start that timed out may still be coming up
            done = subprocess.run([str(KAFKA_SH), *args], env=env, text=True,
                                  capture_output=True, timeout=300, check=False)
            if done.returncode == 0:
                return
            self.say(f"kafka.sh {' '.join(args)} failed: {done.stderr.strip()[-300:]}")
        raise SystemExit(f"kafka.sh {' '.join(args)} failed three times")

    def broker_pid(self) -> int:
        home = Path(os.environ.get("LOGWARDEN_KAFKA_HOME",
                                   Path.home() / ".cache" / "logwarden" / "kafka"))
        return int((home / f"run-{self.port}" / "broker.pid").read_text().strip())

    def start_worker(self, app: App, index: int) -> WorkerProcess:
        with_port = _free_port()
        directory = self.workdir / f"{app.mode}-{index}-{len(app.workers)}"
        directory.mkdir(parents=True)
        extra = ("--exactly-once",) if app.mode == "exactly-once" else ()
        worker = WorkerProcess(
            args=["--broker", f"kafka://{self.bootstrap}", "--web-port", str(with_port),
                  "--data-dir", str(directory / "data"), *worker_args(app.prefix, *extra)],
            log_path=directory / "worker.log", env=self.env)
        app.workers.append(worker.start())
        return worker

    def wait_ready(self) -> None:
        """Until every live worker's /readyz says ready: a worker that cannot reach the
        broker while it starts exits (by design), so no fault strikes during a start-up."""
        deadline = time.monotonic() + READY_SECONDS
        for app in self.apps:
            for worker in self.live_workers(app):
                port = worker.args[worker.args.index("--web-port") + 1]
                while worker.alive() and time.monotonic() < deadline:
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz",
                                                    timeout=5) as response:
                            if response.status == 200:
                                break
                    except (OSError, urllib.error.HTTPError):
                        pass
                    time.sleep(1.0)

    def live_workers(self, app: App) -> list[WorkerProcess]:
        return [w for w in app.workers if w.alive()]

    # -- faults ---------------------------------------------------------------------------

    def broker_restart(self) -> None:
        self.kafka_sh("stop")
        time.sleep(5)
        self.kafka_sh("start")

    def broker_sigkill(self) -> None:
        os.kill(self.broker_pid(), signal.SIGKILL)
        time.sleep(5)
        self.kafka_sh("start")

    def broker_outage(self) -> None:
        self.kafka_sh("stop")
        time.sleep(self.args.outage)
        self.kafka_sh("start")

    def _victim(self) -> tuple[App, WorkerProcess]:
        app = self.rng.choice(self.apps)
        return app, self.rng.choice(self.live_workers(app))

    def replace_exited(self) -> None:
        """Workers that exited without being told to are counted and replaced."""
        for app in self.apps:
            for worker in list(app.workers):
                if not worker.alive() and id(worker) not in self.killed:
                    self.killed.add(id(worker))
                    self.unexpected_exits += 1
                    self.say(f"a {app.mode} worker exited on its own; see {worker.log_path}")
                    self.start_worker(app, 0)

    def worker_kill9(self) -> None:
        app, worker = self._victim()
        self.killed.add(id(worker))
        worker.kill9()
        self.start_worker(app, 0)

    def worker_sigstop(self) -> None:
        _app, worker = self._victim()
        assert worker.proc is not None
        worker.proc.send_signal(signal.SIGSTOP)
        time.sleep(PAUSE_SECONDS)
        worker.proc.send_signal(signal.SIGCONT)

    def worker_sigterm(self) -> None:
        app, worker = self._victim()
        self.killed.add(id(worker))
        worker.stop(timeout=60)
        self.start_worker(app, 0)

    # -- the run --------------------------------------------------------------------------

    def run(self) -> bool:
        self.kafka_sh("start")
        try:
            return self._run()
        finally:
            for app in self.apps:
                for worker in app.workers:
                    worker.stop(timeout=30)
            if not self.args.keep_broker:
                self.kafka_sh("stop")

    def _run(self) -> bool:
        seqs = range(self.args.events)
        rate = self.args.events / (self.args.minutes * 60)
        for app in self.apps:
            asyncio.run(setup_topics(self.bootstrap, app.prefix))
            asyncio.run(publish_consent(self.bootstrap, app.prefix))
            for index in range(self.args.workers):
                self.start_worker(app, index)
        self.wait_ready()
        for app in self.apps:
            app.feed = PacedFeed(self.bootstrap, app.prefix, seqs, per_second=rate)
        self.say(f"{len(seqs)} events per mode at {rate:.0f}/s for {self.args.minutes} min; "
                 f"modes {', '.join(a.mode for a in self.apps)}; {self.args.workers} "
                 f"worker(s) each; broker 127.0.0.1:{self.port}")
        faults: dict[str, Callable[[], None]] = {
            "broker clean restart": self.broker_restart,
            "broker SIGKILL": self.broker_sigkill,
            f"broker outage {self.args.outage:.0f} s": self.broker_outage,
            "worker kill -9": self.worker_kill9,
            "worker SIGSTOP/SIGCONT": self.worker_sigstop,
            "worker SIGTERM": self.worker_sigterm,
        }
        end = self.started + self.args.minutes * 60
        low, high = self.args.fault_every
        while (wait := self.rng.uniform(low, high)) < end - time.monotonic():
            time.sleep(wait)
            name = self.rng.choice(list(faults))
            self.say(f"fault: {name}")
            faults[name]()
            self.replace_exited()
            self.recoveries.append((name, self.time_to_catch_up()))
            self.say(f"caught up {self.recoveries[-1][1]:.0f} s after {name} ended")
            self.wait_ready()
        for app in self.apps:
            assert app.feed is not None
            app.refs = app.feed.join(timeout=max(60.0, end - time.monotonic() + 600))
            asyncio.run(wait_for_committed_end(self.bootstrap, app.prefix, timeout=600))
        self.replace_exited()
        return self.report(seqs)

    def time_to_catch_up(self) -> float:
        """Seconds until every app's group committed what logs.raw held when the fault
        ended (capped a little past the 120 s bound)."""
        began = time.monotonic()
        targets: dict[str, dict[int, int]] = {}
        while time.monotonic() - began < RECOVERY_SECONDS + 30:
            try:
                for app in self.apps:
                    if app.prefix not in targets:
                        targets[app.prefix] = _raw_state(self.bootstrap, app.prefix)[0]
                if all(_caught_up(_raw_state(self.bootstrap, prefix)[1], target)
                       for prefix, target in targets.items()):
                    break
            except Exception as exc:  # the broker is still settling: ask again
                self.say(f"offsets not readable yet ({type(exc).__name__})")
            time.sleep(1.0)
        return time.monotonic() - began

    def report(self, seqs: range) -> bool:
        ok = True

        def check(name: str, passed: bool, detail: str) -> None:
            nonlocal ok
            ok &= passed
            print(f"  {'PASS' if passed else 'FAIL'}  {name}: {detail}", flush=True)

        print(f"\nfaults: {len(self.recoveries)}: " + ", ".join(
            f"{name} ({seconds:.0f} s)" for name, seconds in self.recoveries))
        slowest = max((s for _n, s in self.recoveries), default=0.0)
        for app in self.apps:
            ledger = asyncio.run(read_outputs(self.bootstrap, app.prefix, app.refs,
                                              expect=len(seqs) - len(seqs) // 40,
                                              timeout=600))
            counts = ledger.accounted(seqs)
            print(f"\n{app.mode}: {dict(counts)}, {len(app.workers)} worker processes")
            check("every input in exactly one route or counted dropped",
                  counts["conflict"] == 0 and counts["leaked_dropped"] == 0
                  and ledger.unknown_sources == 0 and sum(counts.values()) == len(seqs),
                  f"conflicts {counts['conflict']}, dropped leaked {counts['leaked_dropped']}"
                  f", unknown sources {ledger.unknown_sources}")
            check("no loss", counts["missing"] == 0, f"missing {counts['missing']}")
            duplicates = ledger.duplicates()
            check("no duplicate under exactly-once",
                  app.mode != "exactly-once" or duplicates == 0, f"duplicates {duplicates}")
            check("per-partition order", ledger.out_of_order() == 0,
                  f"out of order {ledger.out_of_order()}")
            open_ = asyncio.run(open_transactions(self.bootstrap, app.prefix))
            check("no transaction left open", not open_, f"open {open_ or 'none'}")
            names = names_for(app.prefix)
            stored = b"\n".join(asyncio.run(read_all(self.bootstrap, [
                names.changelog(KEYS_TABLE), names.changelog(SUPPRESSION_TABLE)])))
            logs = "\n".join(w.logs() for w in app.workers).encode()
            for where, blob in (("analytics", b"\n".join(ledger.analytics_values)),
                                ("changelogs", stored), ("worker logs", logs)):
                hits = blob.count(b"@example.org") + len(IP_LEAK.findall(blob))
                check(f"no canary in {where}", hits == 0, f"hits {hits}")
        check("no worker exited on its own", self.unexpected_exits == 0,
              f"exits {self.unexpected_exits}")
        check("recovery within 120 s of each fault", slowest <= RECOVERY_SECONDS,
              f"slowest {slowest:.0f} s")
        print("\nsoak " + ("passed" if ok else "FAILED"))
        return ok


def _raw_state(bootstrap: str, prefix: str) -> tuple[dict[int, int], dict[int, int]]:
    """(end offsets, the group's committed offsets) of logs.raw, by partition; raises
    TimeoutError after 30 s (a broker still starting)."""
    return asyncio.run(asyncio.wait_for(_read_raw_state(bootstrap, prefix), 30))


async def _read_raw_state(bootstrap: str, prefix: str
                          ) -> tuple[dict[int, int], dict[int, int]]:
    names = names_for(prefix)
    parts = [TopicPartition(names.raw, p) for p in range(PARTITIONS)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    try:
        ends = await consumer.end_offsets(parts)
        committed = await admin.list_consumer_group_offsets(names.app_id, partitions=parts)
        return ({tp.partition: o for tp, o in ends.items()},
                {tp.partition: m.offset for tp, m in committed.items() if m is not None})
    finally:
        await admin.close()
        await consumer.stop()


def _caught_up(committed: dict[int, int], target: dict[int, int]) -> bool:
    return all(committed.get(p, -1) >= end for p, end in target.items())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--events", type=int, default=100_000, help="per mode")
    parser.add_argument("--modes", nargs="+", default=["at-least-once", "exactly-once"],
                        choices=["at-least-once", "exactly-once"])
    parser.add_argument("--workers", type=int, default=2, help="per mode")
    parser.add_argument("--fault-every", type=float, nargs=2, default=(30.0, 90.0),
                        metavar=("MIN", "MAX"), help="seconds between faults")
    parser.add_argument("--outage", type=float, default=70.0, help="seconds the broker is away")
    parser.add_argument("--port", type=int,
                        default=int(os.environ.get("LOGWARDEN_SOAK_KAFKA_PORT", "9592")),
                        help="a broker of its own: it is stopped and killed")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep-broker", action="store_true", help="leave it running")
    args = parser.parse_args(argv)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # the feed's retries, by the 1000
    with tempfile.TemporaryDirectory(prefix="logwarden-soak-") as workdir:
        return 0 if Soak(args, Path(workdir)).run() else 1


if __name__ == "__main__":
    sys.exit(main())
