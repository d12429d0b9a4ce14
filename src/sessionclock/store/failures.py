"""Turn database and file-system failures into ``StorageError`` with a message a person can act on.

Messages never include SQL parameters (they could hold sealed values or settings), only what kind
of failure it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, ProgrammingError

from sessionclock.core.errors import StorageError

_HINTS = (
    ("disk is full", "The disk is full. Free some space and try again."),
    ("readonly", "The database is read-only. Check that Session Clock may write to its folder."),
    ("read-only", "The database is read-only. Check that Session Clock may write to its folder."),
    (
        "unable to open",
        "The database file cannot be opened. Check that its folder exists and "
        "that Session Clock may write to it.",
    ),
    ("not a database", "The database file is damaged or is not a Session Clock database."),
    ("malformed", "The database file is damaged."),
    (
        "locked",
        "The database is busy in another program. Close other copies of Session Clock "
        "and try again.",
    ),
)


def describe(exc: BaseException) -> str:
    """Return a user-presentable description of a database or file-system failure."""
    if isinstance(exc, DBAPIError):
        text = str(exc.orig).lower()
        for needle, hint in _HINTS:
            if needle in text:
                return hint
        return f"The database could not be used ({type(exc.orig).__name__})."
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        return f"The database folder cannot be used: {reason}."
    return f"The database could not be used ({type(exc).__name__})."


@contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raise database and file-system failures as ``StorageError``.

    Integrity, programming and interface errors are bugs in Session Clock, not conditions of the
    computer, so they pass through unchanged.
    """
    try:
        yield
    except (IntegrityError, ProgrammingError, InterfaceError):
        raise
    except (DBAPIError, OSError) as exc:
        raise StorageError(describe(exc)) from exc
