"""HTTP views on the worker's web port: /metrics, /healthz, /readyz, the status page."""

from __future__ import annotations

from importlib import resources
from typing import Any

import faust
from faust.web import Request, Response, View
from prometheus_client import generate_latest

from streams.observability.state import Observability

__all__ = ["register_views"]

# The classic text format, which every Prometheus 2.x parses (aiohttp refuses a charset
# in content_type=, so the header is set directly).
_EXPOSITION = {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}


def register_views(app: faust.App, obs: Observability) -> None:
    """Add the views; they read state only, so they answer before tables recover."""
    page = resources.files("streams.observability").joinpath("status.html").read_text()

    class MetricsView(View):
        async def get(self, request: Request) -> Response:
            return self.bytes(generate_latest(obs.registry), headers=dict(_EXPOSITION))

    class HealthView(View):
        async def get(self, request: Request) -> Response:
            return self.json({"alive": True})

    class ReadyView(View):
        async def get(self, request: Request) -> Response:
            state: dict[str, Any] = obs.readiness.as_dict()
            return self.json(state, status=200 if obs.readiness.ready else 503)

    class StatusPage(View):
        async def get(self, request: Request) -> Response:
            return self.html(page)

    class StatusJson(View):
        async def get(self, request: Request) -> Response:
            return self.json(obs.status())

    for path, view in (("/metrics", MetricsView), ("/healthz", HealthView),
                       ("/readyz", ReadyView), ("/status", StatusPage),
                       ("/status.json", StatusJson)):
        app.page(path, name=f"logwarden-{path.strip('/').replace('.', '-')}")(view)
