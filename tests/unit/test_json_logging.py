"""bot/observability/logging.py: one JSON object per line, personal data masked."""
from __future__ import annotations

import io
import json
import logging

import pytest

from bot.observability import logging as json_logging
from bot.observability.logging import JsonFormatter


@pytest.fixture
def captured():
    """A logger whose records go through the formatter into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter("actions"))
    log = logging.getLogger("collectbot.test.jsonlog")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    yield log, buffer
    log.removeHandler(handler)


def lines(buffer):
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_phone_and_id_digits_are_masked_in_valid_json(captured):
    log, buffer = captured
    log.info("message from %s: 我是本人，身份证后四位1234，尾号6688，欠款3000元", "+8613912345678")
    [record] = lines(buffer)
    assert set(record) >= {"time", "level", "logger", "message", "process", "pid"}
    assert record["level"] == "INFO" and record["logger"] == "collectbot.test.jsonlog"
    assert record["process"] == "actions"
    message = record["message"]
    assert "13912345678" not in message and "1234" not in message and "6688" not in message
    assert "身份证后四位****" in message and "from " + "*" * len("+8613912345678") in message
    assert "3000元" in message  # amounts stay


def test_names_and_full_id_numbers_are_masked(captured):
    log, buffer = captured
    log.warning("我叫张三丰，身份证号11010519491231002X，卡号6222 0212 3456 7890")
    [record] = lines(buffer)
    assert record["level"] == "WARNING"
    for secret in ("张三丰", "11010519491231002X", "6222", "7890"):
        assert secret not in record["message"]


def test_exceptions_are_one_line_and_masked(captured):
    log, buffer = captured
    try:
        raise ValueError("no account for +8613800000001")
    except ValueError:
        log.exception("lookup failed for 13800000001")
    text = buffer.getvalue()
    assert text.count("\n") == 1  # the traceback stays inside the one JSON line
    [record] = lines(buffer)
    assert record["level"] == "ERROR"
    assert "ValueError" in record["exception"] and "Traceback" in record["exception"]
    assert "13800000001" not in text


@pytest.fixture
def restored_logging():
    """install() changes process-wide logging: put every handler and formatter back."""
    loggers = [logging.getLogger()] + [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    saved = [(lg, list(lg.handlers), [h.formatter for h in lg.handlers]) for lg in loggers]
    yield
    for lg, handlers, formatters in saved:
        lg.handlers[:] = handlers
        for h, f in zip(handlers, formatters):
            h.setFormatter(f)


def test_install_switches_root_handlers_only_with_log_format_json(restored_logging):
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    original = logging.Formatter("%(message)s")
    handler.setFormatter(original)
    root.addHandler(handler)
    sanic_like = logging.getLogger("collectbot.test.propagating")
    duplicate = logging.StreamHandler(io.StringIO())
    sanic_like.addHandler(duplicate)
    try:
        assert json_logging.install("rasa", env={}) is False
        assert handler.formatter is original
        assert json_logging.install("rasa", env={"LOG_FORMAT": "json"}) is True
        assert isinstance(handler.formatter, JsonFormatter)
        logging.getLogger("rasa.core.processor").warning("sender +8613900000009 said 身份证后四位 3521")
        [record] = [json.loads(line) for line in handler.stream.getvalue().splitlines()]
        assert record["process"] == "rasa" and record["logger"] == "rasa.core.processor"
        assert "3521" not in record["message"] and "13900000009" not in record["message"]
        # A propagating logger's own text handler would write the record a second time.
        assert duplicate not in sanic_like.handlers
    finally:
        root.removeHandler(handler)
