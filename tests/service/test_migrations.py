"""The Alembic migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from sessionclock_service.models import Base


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
