"""Ask a Kafka broker for cluster metadata; exit 0 once it answers with a broker list.

`probe.py HOST PORT --tls CAFILE` asks a secure listener for its API versions instead
(over TLS, trusting CAFILE; Kafka answers that request before any SASL login).
Standard library only, so kafka.sh can run it before any virtual environment exists.
"""

from __future__ import annotations

import socket
import ssl
import struct
import sys

_METADATA = 3
_API_VERSIONS = 18
_VERSION = 1
_CLIENT_ID = b"logwarden-probe"


def _request(api: int = _METADATA, version: int = _VERSION, body: bytes | None = None) -> bytes:
    header = struct.pack(">hhih", api, version, 1, len(_CLIENT_ID)) + _CLIENT_ID
    if body is None:
        body = struct.pack(">i", 0)  # no topics: brokers only, cheap however many topics exist
    payload = header + body
    return struct.pack(">i", len(payload)) + payload


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        chunks += chunk
    return chunks


def broker_count(host: str, port: int, timeout: float = 3.0) -> int:
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(_request())
        (size,) = struct.unpack(">i", _read_exactly(sock, 4))
        response = _read_exactly(sock, size)
    (brokers,) = struct.unpack_from(">i", response, 4)  # skip the correlation id
    return brokers


def api_versions_tls(host: str, port: int, cafile: str, timeout: float = 3.0) -> int:
    """The error code of an ApiVersions v0 request over TLS (0 once the broker serves)."""
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection((host, port), timeout=timeout) as raw, \
            context.wrap_socket(raw, server_hostname=host) as sock:
        sock.sendall(_request(_API_VERSIONS, 0, b""))
        (size,) = struct.unpack(">i", _read_exactly(sock, 4))
        response = _read_exactly(sock, size)
    (error,) = struct.unpack_from(">h", response, 4)
    return int(error)


def main() -> int:
    host, port = sys.argv[1], int(sys.argv[2])
    try:
        if sys.argv[3:4] == ["--tls"]:
            return 0 if api_versions_tls(host, port, sys.argv[4]) == 0 else 1
        return 0 if broker_count(host, port) > 0 else 1
    except (OSError, struct.error):
        return 1


if __name__ == "__main__":
    sys.exit(main())
