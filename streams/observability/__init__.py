"""Observability for SREs: metrics, lag and Burrow status, health, status page, JSON logs."""

from streams.observability.install import install_observability

__all__ = ["install_observability"]
