"""`make demo`: feed a sample stream through a real worker and show what went where.

Starts a worker against the local broker, produces deploy/sample/events.jsonl to the raw
topic, waits until the routes stop growing, prints counts and a few records per topic,
then stops the worker. Last, `logwarden sink` writes the analytics topic to Parquet and
DuckDB queries it, as an analyst would. Against a secure cluster, set
$LOGWARDEN_CLIENT_CONFIG (or the LOGWARDEN_SECURITY_PROTOCOL / SASL / SSL variables):
every client here, and every `logwarden` command it runs, connects with those settings.
"""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.security import load_security
from streams.topics import TopicNames

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "sample" / "events.jsonl"
BOOTSTRAP = f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"


def _logwarden(*args: str) -> None:
    """Run one `logwarden` command against the local broker, echoing its output."""
    command = [sys.executable, "-m", "streams", *args, "--broker", f"kafka://{BOOTSTRAP}"]
    subprocess.run(command, check=True)  # noqa: S603 - our own CLI


async def _produce(topic: str, lines: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all",
                                **load_security().aiokafka_kwargs())
    await producer.start()
    try:
        for line in lines:
            await producer.send_and_wait(topic, line)
    finally:
        await producer.stop()


async def _collect(topics: list[str], settle: float = 4.0, timeout: float = 90.0,
                   expect: int = 1) -> dict[str, list[bytes]]:
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=BOOTSTRAP, group_id=None,
                                auto_offset_reset="earliest", isolation_level="read_committed",
                                **load_security().aiokafka_kwargs())
    await consumer.start()
    got: dict[str, list[bytes]] = {t: [] for t in topics}
    start = last = time.monotonic()
    try:
        while time.monotonic() - start < timeout:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, records in batch.items():
                got[tp.topic].extend(r.value for r in records)
                last = time.monotonic()
            if sum(map(len, got.values())) >= expect and time.monotonic() - last > settle:
                break
    finally:
        await consumer.stop()
    return got


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _demo_env() -> dict[str, str]:
    """The worker refuses to start without its keys: the demo brings throwaway ones unless
    the environment has real ones."""
    def line(kid: str) -> str:
        return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"

    env = dict(os.environ)
    if not (env.get("LOGWARDEN_PSEUDONYM_KEYS") or env.get("LOGWARDEN_PSEUDONYM_KEY_FILE")):
        env["LOGWARDEN_PSEUDONYM_KEYS"] = line("demo")
    if not (env.get("LOGWARDEN_SUPPRESSION_KEY") or env.get("LOGWARDEN_SUPPRESSION_KEY_FILE")):
        env["LOGWARDEN_SUPPRESSION_KEY"] = line("demo")
    return env


ANALYST_QUERY = """
select service, coalesce(country, '?') as country, coalesce(browser, '?') as browser,
       count(*) filter (where event = 'login') as logins, count(*) as events
from read_parquet(?, hive_partitioning = true)
group by all order by events desc, service, country, browser
"""


def _sink_table(names: TopicNames, app_id: str, workdir: Path, expect: int) -> Path:
    """Run `logwarden sink` until the analytics records are in Parquet; the table root."""
    from streams.sink.files import parquet_glob

    table = workdir / "table"
    log = (workdir / "sink.log").open("wb")
    sink = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "streams", "sink", "--out", str(table), "--flush-seconds", "1",
         "--broker", f"kafka://{BOOTSTRAP}", "--topic-prefix", names.prefix,
         "--app-id", app_id], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and sink.poll() is None:
            if _table_rows(parquet_glob(table)) >= expect:
                break
            time.sleep(0.5)
    finally:
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=30)
    return table


def _table_rows(glob: str) -> int:
    import duckdb

    try:
        row = duckdb.execute("select count(*) from read_parquet(?)", [glob]).fetchone()
    except duckdb.Error:  # no file yet
        return 0
    return int(row[0]) if row else 0


def _print_analyst_view(table: Path) -> None:
    import duckdb

    from streams.sink.files import parquet_glob

    result = duckdb.execute(ANALYST_QUERY, [parquet_glob(table)])
    header = [column[0] for column in result.description]
    rows = result.fetchall()
    widths = [max(len(str(v)) for v in [name, *(r[i] for r in rows)])
              for i, name in enumerate(header)]
    print(f"\nanalytics in Parquet ({table}), queried with DuckDB:")
    print("  ".join(name.ljust(w) for name, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))


def main() -> int:
    run = uuid.uuid4().hex[:8]
    names = TopicNames(prefix=f"demo-{run}.")
    lines = [line for line in SAMPLE.read_bytes().splitlines() if line.strip()]
    workdir = Path(tempfile.mkdtemp(prefix="logwarden-demo-"))
    print(f"demo run {run}: {len(lines)} sample events -> {names.raw}")
    routes = [names.analytics, names.identifiable, names.deadletter]
    app_id = f"logwarden-demo-{run}"
    _logwarden("topics", "create", "--topic-prefix", names.prefix, "--app-id", app_id)
    # Two sample subjects with recorded consent: full consent, and a child (dropped).
    _logwarden("consent", "set", "u-1001", "--analytics", "--profiling", "--marketing",
               "--topic-prefix", names.prefix)
    _logwarden("consent", "set", "u-1002", "--analytics", "--birth-year", "2014",
               "--topic-prefix", names.prefix)
    asyncio.run(_produce(names.raw, lines))
    log = (workdir / "worker.log").open("wb")
    worker = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "streams", "worker", "--broker", f"kafka://{BOOTSTRAP}",
         "--topic-prefix", names.prefix, "--app-id", app_id,
         "--data-dir", str(workdir / "data"), "--web-port", str(_free_port())],
        stdout=log, stderr=subprocess.STDOUT, env=_demo_env(),
    )
    try:
        got = asyncio.run(_collect(routes))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    print(f"{'topic':<40} records")
    for topic, values in got.items():
        print(f"{topic:<40} {len(values)}")
    unrouted = len(lines) - len(got[names.analytics]) - len(got[names.deadletter])
    print(f"{'dropped or identifiable-only (child u-1002)':<40} {unrouted}")
    for topic, values in got.items():
        for value in values[:3]:
            print(f"\n[{topic}]\n{value.decode(errors='replace')}")
    print(f"\nworker log: {workdir / 'worker.log'}")
    if not got[names.analytics]:
        return 1
    table = _sink_table(names, app_id, workdir, len(got[names.analytics]))
    _print_analyst_view(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
