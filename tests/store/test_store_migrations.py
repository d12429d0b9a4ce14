"""Schema migrations: from an empty database to head, matching the ORM, and back down again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from sessionclock.store.database import (
    SCHEMA_REVISION,
    Database,
    alembic_config,
    downgrade,
    schema_revision,
    upgrade,
)
from sessionclock.store.engine import make_engine
from sessionclock.store.tables import Base

TABLES = {
    "accounts",
    "sessions",
    "fired_reminders",
    "settings",
    "feed_sources",
    "service_links",
    "sync_records",
    "sync_state",
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(tmp_path / "migrate.db")
    yield engine
    engine.dispose()


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version", "sqlite_sequence"}


def test_there_is_one_head_and_the_store_knows_it() -> None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert heads == [SCHEMA_REVISION]


def test_schema_revision_is_read_without_alembic(engine: Engine) -> None:
    assert schema_revision(engine) is None
    upgrade(engine)
    assert schema_revision(engine) == SCHEMA_REVISION == _revision(engine)
    downgrade(engine, "base")
    assert schema_revision(engine) is None


def test_upgrade_from_empty_matches_the_orm(engine: Engine) -> None:
    assert _tables(engine) == set()
    upgrade(engine)
    assert _tables(engine) == TABLES
    assert _differences(engine) == []
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert _revision(engine) == head


def test_downgrade_then_upgrade_again(engine: Engine) -> None:
    upgrade(engine)
    downgrade(engine, "base")
    assert _tables(engine) == set()
    assert _revision(engine) is None
    upgrade(engine)
    assert _tables(engine) == TABLES
    assert _differences(engine) == []


def test_every_table_has_a_non_null_account_id_that_references_accounts(engine: Engine) -> None:
    upgrade(engine)
    inspector = inspect(engine)
    for table in TABLES - {"accounts"}:
        columns = {c["name"]: c for c in inspector.get_columns(table)}
        assert columns["account_id"]["nullable"] is False, table
        referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert "accounts" in referred, table


def test_open_migrates_a_new_file_and_reopening_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "sessionclock.db"
    db = Database.open(path)
    account = db.create_account()
    db.close()
    db = Database.open(path)
    try:
        assert db.account_ids() == (account,)
        assert _differences(db.engine) == []
    finally:
        db.close()


def test_every_connection_has_the_privacy_pragmas(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "sessionclock.db")
    try:
        with db.engine.connect() as connection:
            pragmas = {
                name: connection.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "secure_delete")
            }
        assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "secure_delete": 1}
    finally:
        db.close()


def test_a_database_from_before_accounts_keeps_its_data_unlinked(tmp_path: Path) -> None:
    path = tmp_path / "sessionclock.db"
    engine = make_engine(path)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO accounts (id) VALUES ('old-profile')"))
        connection.execute(
            text(
                "INSERT INTO settings (account_id, key, value_json) "
                "VALUES ('old-profile', 'k', '1')"
            )
        )
    engine.dispose()
    db = Database.open(path)
    try:
        assert schema_revision(db.engine) == SCHEMA_REVISION == "0003"
        assert db.account_ids() == ("old-profile",)
        assert db.linked_account_ids() == frozenset()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT value_json FROM settings")).scalar() == "1"
    finally:
        db.close()


def test_sessions_from_before_syncing_get_their_own_record_ids_and_wait_to_be_pushed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sessionclock.db"
    engine = make_engine(path)
    upgrade(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO accounts (id) VALUES ('a')"))
        for hour in (9, 10, 11):
            connection.execute(
                text(
                    "INSERT INTO sessions (account_id, client_name_sealed, start_utc, start_zone,"
                    " end_utc, end_zone, source) VALUES ('a', x'00', :s, 'UTC', :e, 'UTC',"
                    " 'manual')"
                ),
                {"s": f"2026-11-10 {hour:02d}:00:00", "e": f"2026-11-10 {hour:02d}:50:00"},
            )
    engine.dispose()
    db = Database.open(path)
    try:
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT record_id, version, synced_version, dirty FROM sessions")
            ).all()
        assert len({row.record_id for row in rows}) == 3
        assert all(len(row.record_id) == 36 for row in rows)
        assert {(row.version, row.synced_version, row.dirty) for row in rows} == {("", None, 1)}
        assert _differences(db.engine) == []
    finally:
        db.close()
    engine = make_engine(path)
    try:
        downgrade(engine, "0002")
        assert "record_id" not in {c["name"] for c in inspect(engine).get_columns("sessions")}
    finally:
        engine.dispose()
