"""The raw bytes of the database files reveal no client name, and deleted data is really gone.

Each test scans the ``.db``, ``-wal`` and ``-shm`` files byte for byte, both while the database is
open (when recent writes sit in the WAL) and after it is closed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.core.models import Session, SessionSource
from sessionclock.store import Database

DAY = datetime(2026, 5, 4, tzinfo=ZoneInfo("Australia/Sydney"))
MARKERS = [f"Marker{i:02d}Zyxwvu Client" for i in range(40)]
FEED_URL = "https://calendar.test/private/ical/MarkerFeedToken8472/basic.ics"


def _files(db_path: Path) -> list[Path]:
    return [
        p
        for p in (
            db_path,
            db_path.with_name(db_path.name + "-wal"),
            db_path.with_name(db_path.name + "-shm"),
        )
        if p.exists()
    ]


def _found(db_path: Path, needles: Iterable[bytes]) -> list[tuple[str, bytes]]:
    """Return (file name, needle) for every needle found in any database file."""
    hits = []
    for path in _files(db_path):
        data = path.read_bytes()
        hits += [(path.name, needle) for needle in needles if needle in data]
    return hits


def _spellings(text_: str) -> list[bytes]:
    return [text_.encode("utf-8"), text_.encode("utf-16-le"), text_.lower().encode("utf-8")]


def _sealed_url(db: Database) -> bytes:
    with db.engine.connect() as connection:
        return bytes(connection.execute(text("SELECT url_sealed FROM feed_sources")).scalar_one())


def _sealed_values(db: Database) -> list[bytes]:
    with db.engine.connect() as connection:
        names = connection.execute(text("SELECT client_name_sealed FROM sessions")).scalars()
        urls = connection.execute(text("SELECT url_sealed FROM feed_sources")).scalars()
        return [bytes(v) for v in [*names, *urls]]


def _fill(db: Database, keystore: KeyringKeyStore) -> str:
    account_id = db.create_account()
    repo = db.repository(account_id, keystore)
    for i, name in enumerate(MARKERS):
        start = DAY + timedelta(hours=i)
        repo.add(
            Session(
                client_name=name,
                start=start,
                end=start + timedelta(minutes=50),
                source=SessionSource.CALENDAR,
            )
        )
    repo.set_feed_url(FEED_URL)
    return account_id


def test_database_files_hold_no_client_name_or_feed_address(
    db_path: Path, keystore: KeyringKeyStore
) -> None:
    db = Database.open(db_path)
    _fill(db, keystore)
    needles = [b for text_ in [*MARKERS, FEED_URL] for b in _spellings(text_)]
    sealed = _sealed_values(db)
    # The scan can see the data: the sealed values themselves are in the files.
    assert all(_found(db_path, [blob]) for blob in sealed)
    assert _found(db_path, needles) == []
    db.close()
    assert _found(db_path, needles) == []
    assert all(_found(db_path, [blob]) for blob in sealed)


def test_disconnect_leaves_no_trace_of_the_feed_address(
    db_path: Path, keystore: KeyringKeyStore
) -> None:
    db = Database.open(db_path)
    repo = db.repository(_fill(db, keystore), keystore)
    sealed_url = _sealed_url(db)
    assert _found(db_path, [sealed_url])
    repo.disconnect_feed()
    assert _found(db_path, [sealed_url, *_spellings(FEED_URL)]) == []
    assert db_path.with_name(db_path.name + "-wal").stat().st_size == 0
    db.close()
    assert _found(db_path, [sealed_url, *_spellings(FEED_URL)]) == []


def test_deleting_an_account_leaves_no_trace_of_it(
    db_path: Path, keystore: KeyringKeyStore
) -> None:
    db = Database.open(db_path)
    survivor = db.repository(db.create_account(), keystore)
    survivor.set_setting("theme", "dim")
    account_id = _fill(db, keystore)
    repo = db.repository(account_id, keystore)
    repo.set_setting("marker-setting", "SettingMarker5531")
    sessions = repo.sessions_between(DAY - timedelta(days=1), DAY + timedelta(days=5))
    ids = [s.id for s in sessions if s.id is not None]
    repo.mark_reminders_fired((i, 5) for i in ids)
    traces = [*_sealed_values(db), account_id.encode(), b"SettingMarker5531"]
    assert all(_found(db_path, [t]) for t in traces)

    db.delete_account(account_id, keystore)

    assert _found(db_path, traces) == []
    assert keystore.get_secret(f"account-key/{account_id}") is None
    assert db.account_ids() == (survivor.account_id,)
    assert survivor.get_setting("theme") == "dim"
    with db.engine.connect() as connection:
        for table in ("sessions", "fired_reminders", "settings", "feed_sources"):
            count = connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE account_id = :a"),  # noqa: S608
                {"a": account_id},
            ).scalar()
            assert count == 0, table
    db.close()
    assert _found(db_path, traces) == []


def test_replacing_the_feed_address_leaves_no_trace_of_the_old_one(
    db_path: Path, keystore: KeyringKeyStore
) -> None:
    db = Database.open(db_path)
    repo = db.repository(_fill(db, keystore), keystore)
    old = _sealed_url(db)
    assert _found(db_path, [old])

    repo.set_feed_url("https://calendar.test/private/ical/OtherToken1234/basic.ics")

    assert _found(db_path, [old, *_spellings(FEED_URL)]) == []
    assert db_path.with_name(db_path.name + "-wal").stat().st_size == 0
    assert repo.feed_url() == "https://calendar.test/private/ical/OtherToken1234/basic.ics"
    db.close()
    assert _found(db_path, [old, *_spellings(FEED_URL)]) == []


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows uses the user's ACL")
def test_the_data_folder_and_every_database_file_are_private(
    db_path: Path, keystore: KeyringKeyStore
) -> None:
    db = Database.open(db_path)
    _fill(db, keystore)

    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in _files(db_path)}
    assert modes == {
        "sessionclock.db": 0o600,
        "sessionclock.db-wal": 0o600,
        "sessionclock.db-shm": 0o600,
    }
    db.close()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows uses the user's ACL")
def test_files_left_readable_by_an_older_version_are_made_private(db_path: Path) -> None:
    db_path.parent.mkdir(mode=0o755)
    for suffix in ("", "-wal", "-shm"):
        path = db_path.with_name(db_path.name + suffix)
        path.touch()
        path.chmod(0o644)

    Database.open(db_path).close()

    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in _files(db_path)} == {0o600}
