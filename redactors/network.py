"""IP address generalization."""

from __future__ import annotations

import ipaddress

__all__ = ["truncate_ip"]


def truncate_ip(value: str, *, v4_prefix: int = 24, v6_prefix: int = 48) -> str:
    """Zero the host bits of an IP address: /24 for IPv4, /48 for IPv6.

    Raises ValueError when the value is not an IP address.
    """
    address = ipaddress.ip_address(value.strip())
    prefix = v4_prefix if address.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
