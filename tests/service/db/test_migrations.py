"""The Alembic migrations build exactly the tables the models describe, on both databases.

The migrations ship inside the package (``sessionclock_service/db/migrations``); databases
migrated before keep their revision ids and upgrade from where they are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from sessionclock_service.db.migrate import alembic_config, upgrade
from sessionclock_service.db.models import Base


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert diff == []
    assert tables == {*Base.metadata.tables, "alembic_version"}


def test_no_table_could_hold_client_data() -> None:
    columns = {c.name for table in Base.metadata.tables.values() for c in table.columns}
    for forbidden in ["schedule", "client", "feed", "url", "summary", "location", "session_name"]:
        assert not any(forbidden in c for c in columns), forbidden


def test_the_revision_history_is_one_line_from_the_first_schema(database_url: str) -> None:
    # Databases already migrated carry these revision ids: they must never change.
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    revisions = [(r.revision, r.down_revision) for r in scripts.walk_revisions()]
    assert revisions[-1] == ("0001", None)
    assert scripts.get_heads() == [revisions[0][0]]
    upgrade(database_url)  # already at the head: a second upgrade finds nothing to do
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    assert current == scripts.get_current_head()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database with no tables at all: a new SQLite file, or a new PostgreSQL one."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    new_database: Callable[[str], str] = request.getfixturevalue("new_postgres_database")
    return new_database("migrations")


def test_every_step_upgrades_and_downgrades_keeping_the_accounts(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0001")
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts (id, email, password_hash, created_at, trial_ends_at,"
                    " complimentary) VALUES ('a1', 'kept@example.org', 'h', :t, :t, false)"
                ),
                {"t": datetime(2026, 11, 1, tzinfo=UTC)},
            )
        command.upgrade(config, "head")
        command.downgrade(config, "0001")
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.scalars(text("SELECT email FROM accounts")).all() == ["kept@example.org"]
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_devices_and_sync_downgrade_with_their_rows_and_upgrade_again(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0003")
    engine = create_engine(empty_database_url)
    t = datetime(2026, 11, 1, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts (id, email, password_hash, created_at, trial_ends_at,"
                    " complimentary) VALUES ('a1', 'kept@example.org', 'h', :t, :t, false)"
                ),
                {"t": t},
            )
        command.upgrade(config, "0004")
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO sync_states (account_id, epoch, last_seq) VALUES ('a1', 1, 1)")
            )
            conn.execute(
                text(
                    "INSERT INTO sync_records (account_id, record_id, version, epoch, ciphertext,"
                    " size, seq, updated_at) VALUES ('a1', 'r', 'v', 1, :c, 3, 1, :t)"
                ),
                {"c": b"abc", "t": t},
            )
        command.downgrade(config, "0003")
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert conn.scalars(text("SELECT id FROM accounts")).all() == ["a1"]
        assert not tables & {"devices", "pairings", "key_envelopes", "sync_records", "sync_states"}
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM sync_records")) == 0
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
