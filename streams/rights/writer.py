"""The rights agent's own producer: plain, idempotent, outside Faust's transactions."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer

from streams.security import PLAINTEXT, ClientSecurity

__all__ = ["RightsWriter"]


class RightsWriter:
    """Sends to any partition of any topic and waits for the broker's acknowledgement.

    Erasure writes to partitions this worker may not own (every partition of the keys
    changelog, the partition of the subject's hash in the suppression changelog, ...).
    Under exactly-once Faust only has transactional producers for the partitions it owns,
    so these writes go through this producer instead. Rights requests are therefore
    processed at least once in both modes: each step is idempotent, and a request
    replayed after a crash gets a second receipt.
    """

    def __init__(self, bootstrap: str, security: ClientSecurity = PLAINTEXT) -> None:
        self._bootstrap = bootstrap
        self._security = security
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def _started(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, acks="all",
                                            enable_idempotence=True,
                                            **self._security.aiokafka_kwargs())
                try:
                    await producer.start()
                except BaseException:  # a broker outage: close it, or each retry leaks one
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def send(self, topic: str, key: bytes | None, value: bytes | None,
                   partition: int) -> None:
        producer = await self._started()
        await producer.send_and_wait(topic, key=key, value=value, partition=partition)

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
