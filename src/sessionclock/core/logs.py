"""Log files: rotating, in the platform's log folder, at the level asked for, without client data.

The app's own code never logs a client's name, the calendar address, a token, a code or a
password. Two nets catch what a library or an exception might still carry:

- every line is passed through ``redact``, which masks web and webcal addresses, e-mail addresses
  and long opaque strings (tokens, keys);
- exceptions are written as ``core.crash_report`` writes them: types, files, lines and functions,
  never their messages or local values.

Libraries log at WARNING and above only (httpx, for one, names every address it requests at
INFO); the level chosen with ``sessionclock --log-level`` applies to Session Clock's own loggers.
"""

from __future__ import annotations

import enum
import logging
import logging.handlers
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sessionclock.core.crash_report import format_exception

APP_NAME = "SessionClock"
LOG_FILE = "sessionclock.log"
MAX_BYTES = 1_000_000
"""A log file is rotated at about 1 MB ..."""
BACKUPS = 4
"""... and four older ones are kept: at most about 5 MB on disk."""

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_ADDRESS = re.compile(r"\b(?:https?|webcal|wss?|ftp)://\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_OPAQUE = re.compile(r"[A-Za-z0-9_\-]{32,}")


class LogLevel(enum.StrEnum):
    """How much Session Clock's own loggers write."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"

    @property
    def number(self) -> int:
        """Return the ``logging`` level number."""
        return int(logging.getLevelName(self.value.upper()))


def default_log_folder() -> Path:
    """Return the platform's log folder for Session Clock (platformdirs' ``user_log_dir``)."""
    from platformdirs import user_log_path

    return user_log_path(APP_NAME, appauthor=False)


def redact(text: str) -> str:
    """Return *text* with addresses, e-mail addresses and long opaque strings masked."""
    text = _ADDRESS.sub("<address>", text)
    text = _EMAIL.sub("<e-mail>", text)
    return _OPAQUE.sub("<token>", text)


class RedactingFormatter(logging.Formatter):
    """Formats a record with ``redact`` applied and its exception without messages or values."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record's line (and its exception's traceback, as ``crash_report`` has it)."""
        # A copy, and no exception text another handler may already have cached on the record.
        plain = logging.makeLogRecord(record.__dict__)
        plain.exc_info = plain.exc_text = plain.stack_info = None
        line = redact(super().format(plain))
        if record.exc_info is not None and record.exc_info[1] is not None:
            line += "\n" + "\n".join(format_exception(record.exc_info[1]))
        return line


@dataclass
class LogSetup:
    """Logging as ``configure_logging`` set it up; ``close`` undoes it.

    Attributes:
        file: the current log file.
        level: the level of Session Clock's own loggers.
        handlers: the handlers added to the root logger.
        previous_levels: the levels of the root and Session Clock's logger before, for ``close``.
    """

    file: Path
    level: LogLevel
    handlers: list[logging.Handler] = field(default_factory=list)
    previous_levels: tuple[int, int] = (logging.WARNING, logging.NOTSET)

    def close(self) -> None:
        """Flush and remove the handlers, and put the levels back."""
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        self.handlers.clear()
        root.setLevel(self.previous_levels[0])
        logging.getLogger("sessionclock").setLevel(self.previous_levels[1])


def configure_logging(
    level: LogLevel, *, folder: Path | None = None, stream: TextIO | None = sys.stderr
) -> LogSetup:
    """Write logs to a rotating file in *folder* (default: the platform's) and to *stream*.

    Raises:
        OSError: the log folder cannot be created.
    """
    folder = default_log_folder() if folder is None else folder
    folder.mkdir(parents=True, exist_ok=True)
    formatter = RedactingFormatter(LINE_FORMAT)
    file_handler = logging.handlers.RotatingFileHandler(
        folder / LOG_FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if stream is not None:
        handlers.append(logging.StreamHandler(stream))
    root = logging.getLogger()
    own = logging.getLogger("sessionclock")
    previous = (root.level, own.level)
    root.setLevel(logging.WARNING)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    own.setLevel(level.number)
    return LogSetup(folder / LOG_FILE, level, handlers, previous)
