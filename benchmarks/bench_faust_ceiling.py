"""What Faust itself costs per event on this broker: a no-op agent, and one that sends
each event on unchanged (no engine). Context for bench_stream's figures.

    .venv/bin/python -m benchmarks.bench_faust_ceiling [--send] worker
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from typing import Any

import faust

from benchmarks.bench_stream import BOOTSTRAP, produce
from streams.admin import create_topics
from streams.topics import TopicSpec

EVENTS = 30_000


def main() -> None:
    send = "--send" in sys.argv
    if send:
        sys.argv.remove("--send")
    name = f"bench-ceiling-{uuid.uuid4().hex[:8]}"
    asyncio.run(create_topics(BOOTSTRAP, [TopicSpec(name=name, partitions=4),
                                          TopicSpec(name=f"{name}.out", partitions=4)]))
    asyncio.run(produce(name, EVENTS))
    app = faust.App(name, broker=f"kafka://{BOOTSTRAP}", store="memory://", topic_partitions=4,
                    web_port=20000 + os.getpid() % 20000, consumer_auto_offset_reset="earliest",
                    producer_linger=0.005)
    source = app.topic(name, key_serializer="raw", value_serializer="raw")
    state: dict[str, Any] = {"n": 0, "t0": None}

    async def passthrough(stream: Any) -> None:
        async for event in stream.events():
            state["t0"] = state["t0"] or time.perf_counter()
            if send:
                await app.producer.send(f"{name}.out", None, event.value,
                                        event.message.partition, None, None)
            state["n"] += 1
            if state["n"] == EVENTS:
                rate = EVENTS / (time.perf_counter() - state["t0"])
                print(f"faust agent, {'one send per event' if send else 'no-op'}: "
                      f"{rate:,.0f} events/s", flush=True)
                os._exit(0)

    app.agent(source, name="ceiling")(passthrough)
    faust.Worker(app, loglevel="warning").execute_from_commandline()


if __name__ == "__main__":
    main()
