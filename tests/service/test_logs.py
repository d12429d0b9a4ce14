"""Logs without personal data, as text or JSON lines."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from sessionclock_service.logs import AccessLogRedactor, JsonFormatter, LogFormat, logging_config


def _access_record() -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.9:51000", "GET", "/admin?q=someone%40example.org", "1.1", 200),
        None,
    )


def test_access_lines_lose_the_client_address_and_the_query() -> None:
    record = _access_record()
    assert AccessLogRedactor().filter(record)
    line = record.getMessage()
    assert "someone" not in line and "203.0.113.9" not in line
    assert line == '- - "GET /admin HTTP/1.1" 200'


def test_json_lines_carry_the_fields_of_access_lines() -> None:
    record = _access_record()
    AccessLogRedactor().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["method"] == "GET" and line["path"] == "/admin" and line["status"] == 200
    assert line["level"] == "INFO" and line["logger"] == "uvicorn.access"
    assert "203.0.113.9" not in json.dumps(line)


def test_json_lines_name_an_exception_by_its_type_only() -> None:
    try:
        raise RuntimeError("ann@example.org could not be reached")
    except RuntimeError:
        record = logging.LogRecord(
            "sessionclock_service.app", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["error"] == "RuntimeError" and line["message"] == "failed"
    assert "ann@example.org" not in json.dumps(line)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_configuration_redacts_access_lines(log_format: LogFormat) -> None:
    config = logging_config(log_format)
    assert config["loggers"]["uvicorn.access"]["filters"] == ["redact"]
    assert config["filters"]["redact"]["()"] == "sessionclock_service.logs.AccessLogRedactor"
    formatter = config["formatters"]["default"]
    if log_format == "json":
        assert formatter == {"()": "sessionclock_service.logs.JsonFormatter"}
    else:
        assert "%(message)s" in formatter["format"]
