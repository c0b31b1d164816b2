"""`logwarden sink`: logs.analytics to Hive-partitioned Parquet (day, service)."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

import click

from streams.commands.options import (
    app_id_option,
    broker_error,
    broker_option,
    client_config_option,
    topic_prefix_option,
)
from streams.security import ClientSecurity

__all__ = ["sink"]


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The table's root directory: day=YYYY-MM-DD/service=NAME/*.parquet.")
@click.option("--group", default=None,
              help="Consumer group (default: the app id + '-sink'). One group per --out.")
@click.option("--flush-rows", type=click.IntRange(min=1), default=50_000, show_default=True,
              help="Write files once this many rows are buffered.")
@click.option("--flush-seconds", type=click.FloatRange(min=0.1), default=60.0,
              show_default=True, help="...or once the oldest buffered row is this old.")
@broker_option
@topic_prefix_option
@app_id_option
@client_config_option
def sink(out: Path, group: str | None, flush_rows: int, flush_seconds: float, broker: str,
         topic_prefix: str, app_id: str, security: ClientSecurity) -> None:
    """Consume the analytics topic and write Parquet that DuckDB and Spark read directly.
    Offsets are committed only after a flush's files are durable; runs until SIGTERM."""
    from aiokafka import AIOKafkaConsumer

    from streams.settings import Settings
    from streams.sink.service import ParquetSink, SinkOptions
    from streams.topics import TopicNames

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    bootstrap = Settings(broker=broker, security=security).bootstrap_servers
    topic = TopicNames(prefix=topic_prefix, app_id=app_id).analytics
    options = SinkOptions(out=out, flush_rows=flush_rows, flush_seconds=flush_seconds)
    out.mkdir(parents=True, exist_ok=True)

    async def run() -> ParquetSink:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group or f"{app_id}-sink",
            enable_auto_commit=False, auto_offset_reset="earliest",
            isolation_level="read_committed", **security.aiokafka_kwargs())
        await consumer.start()
        try:
            writer = ParquetSink(consumer, topic, options)
            await writer.run(stop)
        finally:
            await consumer.stop()
        return writer

    try:
        written = asyncio.run(run())
    except OSError as exc:  # the output directory: name the path and the reason only
        raise click.ClickException(f"cannot write under {out}: {exc.strerror}") from None
    except Exception as exc:
        raise broker_error(f"consume {topic} from {broker}", broker, exc, security) from None
    click.echo(f"sink stopped: {written.rows_written} rows written, {written.skipped} records "
               "skipped (not JSON objects)", err=True)
