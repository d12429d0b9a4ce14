"""Logging without personal data, as text or as one JSON object per line.

`logging_config` is a `logging.config.dictConfig` dictionary; uvicorn applies it in every worker
process it starts. Access lines lose the client address and the query string (search text, or
whatever a link carried); the service's own messages never name an address, a token or a code.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

LogFormat = Literal["text", "json"]


class AccessLogRedactor(logging.Filter):
    """Keep personal data out of access-log lines: no client address, no query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite uvicorn's access record: ``-`` for the client, the path without its query."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = ("-", args[1], args[2].split("?", 1)[0], *args[3:])
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger and message, and for access lines the
    method, path and status as fields of their own."""

    def format(self, record: logging.LogRecord) -> str:
        """Render *record* as one line of JSON."""
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) >= 5:
            line.update(method=args[1], path=args[2], status=args[4])
        if record.exc_info and record.exc_info[0] is not None:
            # The exception's type only: its text and traceback could hold personal data.
            line["error"] = record.exc_info[0].__name__
        return json.dumps(line, ensure_ascii=False)


def logging_config(log_format: LogFormat) -> dict[str, Any]:
    """Return the logging configuration of the service and of uvicorn, for ``dictConfig``."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"format": "%(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": f"{__name__}.AccessLogRedactor"}},
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"level": "INFO"},
            "uvicorn.access": {"level": "INFO", "filters": ["redact"]},
        },
        "root": {"level": "INFO", "handlers": ["stderr"]},
    }
