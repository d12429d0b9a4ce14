"""The database: an engine for SQLite or PostgreSQL, and transactions that say what they do.

Use cases open `Database.read` for what only reads and `Database.write` for what changes rows;
there is no other way to a session. The database itself holds each to its word:

- A read transaction is read-only (SQLite ``PRAGMA query_only``; PostgreSQL ``READ ONLY``), so a
  write slipped into it fails instead of passing unnoticed.
- On SQLite a read transaction begins deferred and never asks for the write lock, so readers
  (every admin page's sign-in check, the entitlement the desktop app polls) never queue behind a
  writer nor make a writer queue behind them. A write transaction begins ``IMMEDIATE``: it takes
  the lock up front, because a deferred transaction that reads and then writes fails at once with
  "database is locked" when another worker wrote in between (busy_timeout does not help there).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

_READ_ONLY = "sessionclock_read_only"


def make_engine(url: str) -> Engine:
    """Create an engine for *url*, with SQLite tuned for several threads and workers."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Take transactions into our own hands (see _sqlite_begin).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # WAL lets readers run beside one writer; secure_delete overwrites deleted rows so a
            # deleted account's e-mail does not linger in free pages.
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            if connection.get_execution_options().get(_READ_ONLY):
                connection.exec_driver_sql("PRAGMA query_only=ON")
                connection.exec_driver_sql("BEGIN")
            else:
                connection.exec_driver_sql("PRAGMA query_only=OFF")
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """The service's database, reached only through `read` and `write` transactions.

    Attributes:
        engine: The engine (for migrations, tests and disposal).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writers = sessionmaker(engine, expire_on_commit=False)
        readers = engine.execution_options(**{_READ_ONLY: True})
        if engine.dialect.name == "postgresql":
            readers = readers.execution_options(postgresql_readonly=True)
        self._readers = sessionmaker(readers, expire_on_commit=False)

    @classmethod
    def connect(cls, url: str) -> Database:
        """Open the database at *url* (see `make_engine`)."""
        return cls(make_engine(url))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Open a read-only transaction; it never takes SQLite's write lock and commits nothing."""
        with self._readers() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """Open a write transaction: committed when the block ends, rolled back on any error."""
        with self._writers() as session, session.begin():
            yield session

    def checkpoint(self) -> None:
        """Move SQLite's write-ahead log into the database file and empty it.

        With ``secure_delete`` on, deleted rows are overwritten in the file, but their old pages
        stay in the ``-wal`` file until a checkpoint. PostgreSQL has no such file to empty.
        """
        if self.engine.dialect.name == "sqlite":
            # On the DBAPI connection: outside any transaction (SQLAlchemy would begin one).
            raw = self.engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def hold_locks(session: Session, names: Iterable[str]) -> None:
    """Hold a lock on each of *names* until *session*'s write transaction ends.

    PostgreSQL takes transaction-level advisory locks, in one fixed order so that two
    transactions wanting the same names cannot deadlock (take them all in one call). On SQLite
    the write transaction already holds the database's one write lock (``BEGIN IMMEDIATE``),
    which serialises every writer of every process: nothing more is needed.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for number in sorted({_lock_number(name) for name in names}):
        session.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})


def _lock_number(name: str) -> int:
    """Return the signed 64-bit advisory-lock number of *name*."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def rowcount(result: Result[Any]) -> int:
    """Return how many rows an UPDATE or DELETE touched."""
    return int(cast(CursorResult[Any], result).rowcount)
