"""The SQLite engine: pragmas on every connection, real transactions, WAL checkpoints.

Every connection gets ``foreign_keys=ON`` (cascades and the account foreign keys are enforced),
``secure_delete=ON`` (deleted content is overwritten with zeros, not left in free pages) and
``journal_mode=WAL``. Because WAL keeps old page images in the ``-wal`` file until a checkpoint,
deletions that must be final (disconnecting the calendar, deleting an account) are followed by
``checkpoint_wal``.

pysqlite's own transaction handling does not begin a transaction before DDL and commits on its
own; following SQLAlchemy's documented recipe the driver is put in autocommit mode and SQLAlchemy
emits ``BEGIN`` itself, so migrations and multi-statement writes are all-or-nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event

_log = logging.getLogger(__name__)


def make_engine(path: Path) -> Engine:
    """Return an engine for the SQLite database at *path* with Session Clock's pragmas."""
    engine = create_engine(URL.create("sqlite+pysqlite", database=str(path)))
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """Return *engine* set to open write transactions with ``BEGIN IMMEDIATE``.

    A deferred transaction that reads first and writes later fails at once with "database is
    locked" if another thread wrote in between; taking the write lock up front makes the second
    writer wait (up to the busy timeout) instead.
    """
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def checkpoint_wal(engine: Engine) -> bool:
    """Copy the WAL into the database and truncate the ``-wal`` file to zero bytes.

    Returns:
        ``True`` if the checkpoint completed; ``False`` if another connection was still reading,
        in which case the next checkpoint finishes the job.
    """
    with engine.connect() as connection:
        # Straight to the driver: the checkpoint must run outside any transaction, and
        # SQLAlchemy would otherwise begin one.
        raw: Any = connection.connection.dbapi_connection
        busy, _log_frames, _checkpointed = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        _log.warning("WAL checkpoint was blocked by another reader; it will complete later")
    return not busy


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())
