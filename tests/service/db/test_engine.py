"""Read and write transactions: reads never take SQLite's write lock and cannot write anything."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from sessionclock_service.db.engine import Database
from sessionclock_service.db.migrate import upgrade
from sessionclock_service.db.models import Account, RateEvent
from tests.support.sqlite import write_lock_is_free

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """A migrated SQLite database file."""
    path = tmp_path / "locks.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_db(sqlite_path: Path) -> Iterator[Database]:
    """The service's database on that file."""
    db = Database.connect(f"sqlite:///{sqlite_path}")
    yield db
    db.dispose()


@pytest.fixture
def db(clean_database: str) -> Iterator[Database]:
    """The service's database on an empty SQLite file, then on PostgreSQL."""
    database = Database.connect(clean_database)
    yield database
    database.dispose()


def test_readers_do_not_wait_for_a_writer(sqlite_db: Database) -> None:
    with sqlite_db.write() as writer:
        writer.execute(text("DELETE FROM accounts"))  # holds the write lock now
        with sqlite_db.read() as reader:
            # A reader that had to wait would now fail at once instead of waiting 30 s.
            reader.execute(text("PRAGMA busy_timeout=0"))
            assert reader.scalars(select(Account)).all() == []


def test_a_read_leaves_the_write_lock_free_and_a_write_takes_it(
    sqlite_db: Database, sqlite_path: Path
) -> None:
    with sqlite_db.read() as reader:
        assert reader.scalars(select(Account)).all() == []
        assert reader.in_transaction()
        assert write_lock_is_free(sqlite_path)
    with sqlite_db.write() as writer:
        writer.execute(select(Account.id))  # nothing written yet: BEGIN IMMEDIATE took the lock
        assert not write_lock_is_free(sqlite_path)
    assert write_lock_is_free(sqlite_path)


def test_a_read_cannot_write(db: Database) -> None:
    with db.read() as reader, pytest.raises(DBAPIError):
        reader.execute(delete(RateEvent))
    with db.read() as reader:
        reader.add(RateEvent(key="acct:x", at=NOW))
        with pytest.raises(DBAPIError):
            reader.flush()
    # The connection went back to the pool read-only; a write on it must still write.
    with db.write() as writer:
        writer.add(RateEvent(key="acct:x", at=NOW))
    with db.read() as reader:
        assert reader.scalars(select(RateEvent.key)).all() == ["acct:x"]


class UseCaseFailedError(Exception):
    """Stands for any error half-way through a use case."""


def _write_then_fail(db: Database) -> None:
    with db.write() as writer:
        writer.add(RateEvent(key="acct:lost", at=NOW))
        writer.flush()
        raise UseCaseFailedError


def test_a_write_commits_or_rolls_back_whole(db: Database) -> None:
    with pytest.raises(UseCaseFailedError):
        _write_then_fail(db)
    with db.write() as writer:
        writer.add(RateEvent(key="acct:kept", at=NOW))
    with db.read() as reader:
        assert reader.scalars(select(RateEvent.key)).all() == ["acct:kept"]
