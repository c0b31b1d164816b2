"""Faust's Kafka transport for the control plane, and the app that starts the data plane.

Faust's consumer joins the group `{app_id}-control` (the rights agent and the
suppression table); the data plane's own consumer holds the group `{app_id}` on
logs.raw (streams.dataplane), so lag on the raw topic reads under the app id.

Faust hard-codes `fetch_max_wait_ms=1500` for its worker consumer; with idle topics in
the same fetch session a request or a table update waited that long. The wait only
bounds how long an empty fetch parks on the broker, so a short one costs some idle
fetch requests and nothing else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka
from mode import ServiceT

__all__ = ["FETCH_MAX_WAIT_MS", "LowLatencyApp"]

FETCH_MAX_WAIT_MS = 100  # rights requests and table updates: a tenth of a second is soon enough
CONTROL_GROUP_SUFFIX = "-control"


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when its fetcher starts
        consumer._group_id = f"{self.app.conf.id}{CONTROL_GROUP_SUFFIX}"  # read by start()
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> Any:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class LowLatencyApp(faust.App):
    """faust.App whose consumer uses `FETCH_MAX_WAIT_MS` and the control group; it awaits
    its `startup_gates` before its consumer starts (the consent view loads there) and
    starts its `after_recovery` services once its tables are recovered."""

    def __init__(self, *args: Any, after_recovery: list[ServiceT] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.startup_gates: list[Callable[[], Awaitable[None]]] = []
        self.after_recovery: list[ServiceT] = after_recovery or []

    async def on_first_start(self) -> None:
        await super().on_first_start()
        for gate in self.startup_gates:
            await gate()

    async def on_started_init_extra_services(self) -> None:
        await super().on_started_init_extra_services()
        for service in self.after_recovery:
            await self.add_runtime_dependency(service)

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)
