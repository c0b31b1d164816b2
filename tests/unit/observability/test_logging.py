"""JSON-lines log records keep exception types, never messages that may hold values."""

from __future__ import annotations

import logging

import orjson
import pytest

from streams.observability.logging import JsonFormatter, scrub


def record(msg: str, *args: object, exc: BaseException | None = None,
           **extra: object) -> logging.LogRecord:
    rec = logging.makeLogRecord({"name": "t", "levelno": logging.WARNING,
                                 "levelname": "WARNING", "msg": msg, "args": args, **extra})
    if exc is not None:
        try:
            raise exc
        except BaseException as caught:
            rec.exc_info = (type(caught), caught, caught.__traceback__)
    return rec


def test_one_json_object_with_fields():
    line = JsonFormatter().format(record("lag sample failed", error="KafkaError", n=3))
    entry = orjson.loads(line)
    assert entry["msg"] == "lag sample failed"
    assert entry["level"] == "warning"
    assert entry["error"] == "KafkaError"
    assert entry["n"] == 3


def test_exception_message_is_never_rendered():
    line = JsonFormatter().format(record("agent crashed", exc=KeyError("alice@example.com")))
    assert "alice" not in line
    assert orjson.loads(line)["exc_type"] == "KeyError"


@pytest.mark.parametrize(("text", "leaked"), [
    ("bad event from alice.smith+x@example.co.uk", "alice.smith"),
    ("client 203.0.113.77 failed", "203.0.113.77"),
    ("client 2001:db8:85a3:0:0:8a2e:370:7334 failed", "2001:db8"),
])
def test_scrub_masks_addresses(text, leaked):
    assert leaked not in scrub(text)


def test_scrub_keeps_loopback_broker_addresses():
    assert scrub("connected to 127.0.0.1:9092") == "connected to 127.0.0.1:9092"


def test_library_debug_records_keep_their_template_only():
    rec = record("Sending (key=%r value=%r)", None, b'{"name": "Zebulon Q"}')
    rec.name, rec.levelno, rec.levelname = "aiokafka.producer.producer", 10, "DEBUG"
    line = JsonFormatter().format(rec)
    assert "Zebulon" not in line
    assert orjson.loads(line)["msg"] == "Sending (key=%r value=%r)"


def test_our_records_and_library_warnings_are_formatted():
    ours = record("routed %d events", 5)
    ours.name = "streams.dataplane.service"
    assert orjson.loads(JsonFormatter().format(ours))["msg"] == "routed 5 events"
    warning = record("Ignoring missing topic: %r", "logs.raw")
    warning.name = "faust.assignor"
    assert "logs.raw" in orjson.loads(JsonFormatter().format(warning))["msg"]
