"""A database that cannot be opened or written gives a clear StorageError, not a traceback."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from platformdirs import user_data_path
from sqlalchemy import event, text

from sessionclock.core.errors import SessionClockError, StorageError
from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.core.models import Session
from sessionclock.store import AccountRepository, Database, default_database_path

START = datetime(2026, 5, 4, 9, tzinfo=ZoneInfo("Europe/Berlin"))


def _limit_every_new_connection(db: Database, pragma: str) -> None:
    """Apply *pragma* to every connection the database opens from now on."""

    def on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.execute(pragma)

    event.listen(db.engine, "connect", on_connect)
    db.engine.dispose()  # drop pooled connections so the next one gets the pragma


def test_default_path_is_in_the_platform_data_folder() -> None:
    path = default_database_path()
    assert path.parent == user_data_path("SessionClock", appauthor=False)
    assert path.name == "sessionclock.db"


def test_storage_error_is_a_session_clock_error() -> None:
    assert issubclass(StorageError, SessionClockError)


def test_open_below_a_file_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="folder cannot be used"):
        Database.open(blocker / "sessionclock.db")


def test_open_of_a_folder_instead_of_a_file_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "sessionclock.db"
    path.mkdir()
    with pytest.raises(StorageError, match="cannot be opened"):
        Database.open(path)


def test_open_of_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "sessionclock.db"
    path.write_bytes(b"this is a spreadsheet, not a database " * 200)
    with pytest.raises(StorageError, match="damaged"):
        Database.open(path)


def test_a_full_disk_is_a_storage_error_and_nothing_half_written(
    db: Database, keystore: KeyringKeyStore
) -> None:
    repo = db.repository(db.create_account(), keystore)
    with db.engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar()
    # SQLite reports SQLITE_FULL, exactly as on a full disk, once the file may not grow.
    _limit_every_new_connection(db, f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError, match="disk is full"):
        repo.set_setting("notes", "x" * 200_000)
    assert repo.get_setting("notes") is None


def test_a_read_only_database_is_a_storage_error(
    db: Database, keystore: KeyringKeyStore, repo: AccountRepository
) -> None:
    _limit_every_new_connection(db, "PRAGMA query_only = ON")
    session = Session(client_name="Ada", start=START, end=START + timedelta(hours=1))
    with pytest.raises(StorageError, match="read-only") as info:
        repo.add(session)
    assert "Ada" not in str(info.value)
    with pytest.raises(StorageError, match="read-only"):
        db.create_account()
    assert repo.sessions_between(START, START + timedelta(hours=2)) == ()


def test_a_locked_database_is_a_storage_error(tmp_path: Path, keystore: KeyringKeyStore) -> None:
    path = tmp_path / "sessionclock.db"
    db = Database.open(path)
    other = Database.open(path)
    try:
        repo = db.repository(db.create_account(), keystore)
        _limit_every_new_connection(db, "PRAGMA busy_timeout = 0")
        with other.engine.connect() as holder:
            holder.execute(text("INSERT INTO accounts (id) VALUES ('holder')"))  # holds the lock
            with pytest.raises(StorageError, match="busy"):
                repo.set_setting("k", 1)
            holder.rollback()
    finally:
        other.close()
        db.close()
