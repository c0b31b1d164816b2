"""The lag sampler on its own: one reading for the CLI, or a loop serving /metrics."""

from __future__ import annotations

import asyncio

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from streams.observability.exporter import LagCollector
from streams.observability.lag import LagSampler, LagSnapshot

__all__ = ["sample_repeatedly", "serve_lag"]


async def sample_repeatedly(sampler: LagSampler, samples: int,
                            interval: float) -> LagSnapshot | None:
    """A short window of samples, so that Burrow's rules have commits to look at."""
    try:
        for n in range(samples):
            if n:
                await asyncio.sleep(interval)
            await sampler.sample()
        return sampler.last
    finally:
        await sampler.close()


async def serve_lag(sampler: LagSampler, *, host: str, port: int, interval: float) -> None:
    """Export the group's lag from outside the worker: it keeps reporting while the
    worker is stopped, frozen or gone, which is when lag matters most."""
    registry = CollectorRegistry()
    registry.register(LagCollector(lambda: sampler.last))
    sampled = Gauge("logwarden_lag_sample_timestamp_seconds",
                    "When the lag sampler last read the broker.", registry=registry)
    failures = Counter("logwarden_lag_sample_failures", "Lag samples that failed.",
                       registry=registry)
    start_http_server(port, addr=host, registry=registry)
    try:
        while True:
            before = sampler.failures
            if await sampler.sample() is not None and sampler.last_success:
                sampled.set(sampler.last_success)
            failures.inc(sampler.failures - before)
            await asyncio.sleep(interval)
    finally:
        await sampler.close()
