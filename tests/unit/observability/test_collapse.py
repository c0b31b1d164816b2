"""Repeated log records collapse to the first and one counted summary per interval."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import orjson
import pytest

from streams.observability.collapse import RepeatCollapser
from streams.observability.logging import JsonFormatter


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, RepeatCollapser, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    collapser = RepeatCollapser(10.0, summary_logger="test.collapse.summary")
    handler.addFilter(collapser)
    loggers = [logging.getLogger(name) for name in
               ("test.collapse", "test.collapse.other", "test.collapse.summary")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
    try:
        yield loggers[0], collapser, out
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


def emit(logger: logging.Logger, msg: str, *args: object, at: float,
         level: int = logging.WARNING) -> None:
    record = logger.makeRecord(logger.name, level, __file__, 1, msg, args, None)
    record.created = at
    logger.handle(record)


def test_a_flood_becomes_one_line_and_one_summary(captured):
    logger, collapser, out = captured
    for n in range(500):
        emit(logger, "Unable connect to node with id %s: %s", n % 3, "refused", at=100 + n / 100)
    assert len(lines(out)) == 1
    assert collapser.flush(now=104) == 0  # the interval has not ended yet
    assert collapser.flush(now=111) == 1
    first, summary = lines(out)
    assert first["msg"] == "Unable connect to node with id 0: refused"
    assert summary["repeated"] == 499
    assert summary["source_logger"] == "test.collapse"
    assert summary["level"] == "warning"
    assert "Unable connect to node with id %s" in str(summary["msg"])
    assert collapser.flush(now=130) == 0  # nothing suppressed since: no further summary


@pytest.mark.parametrize(("second_logger", "second_msg", "second_level", "kept"), [
    ("test.collapse", "same %s", logging.WARNING, 1),  # same template, args differ
    ("test.collapse.other", "same %s", logging.WARNING, 2),  # another logger
    ("test.collapse", "other %s", logging.WARNING, 2),  # another template
    ("test.collapse", "same %s", logging.ERROR, 2),  # another level
])
def test_records_group_by_logger_level_and_template(captured, second_logger, second_msg,
                                                    second_level, kept):
    logger, _collapser, out = captured
    emit(logger, "same %s", 1, at=100)
    emit(logging.getLogger(second_logger), second_msg, 2, at=101, level=second_level)
    assert len(lines(out)) == kept


def test_a_record_after_the_interval_passes_and_carries_the_count(captured):
    logger, _collapser, out = captured
    for n in range(5):
        emit(logger, "retrying", at=100 + n)
    emit(logger, "retrying", at=111)
    assert [line.get("repeated") for line in lines(out)] == [None, 4]


def test_memory_stays_bounded():
    collapser = RepeatCollapser(10.0, max_keys=50)
    for n in range(1000):
        record = logging.makeLogRecord({"name": "x", "levelno": 30, "msg": f"distinct {n}"})
        record.created = 100.0
        assert collapser.filter(record)
    assert len(collapser._seen) <= 50


def test_a_non_positive_interval_is_refused():
    with pytest.raises(ValueError, match="positive"):
        RepeatCollapser(0)
