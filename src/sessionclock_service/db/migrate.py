"""Bring a database to the latest schema with the Alembic migrations shipped in the package.

In production the schema is migrated once per release (``sessionclock-service migrate``) before
the workers start with ``--no-migrate``. Should two hosts still migrate at once, PostgreSQL
holds them one after the other with an advisory lock, and the second finds nothing left to do.
"""

from __future__ import annotations

import functools
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from sessionclock_service.db.engine import Database, make_engine

_MIGRATION_LOCK = 0x5C_0001
"""The PostgreSQL advisory lock held while migrating."""


def alembic_config(database_url: str) -> Config:
    """Return an Alembic configuration pointing at the packaged migrations."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("sessionclock_service.db") / "migrations")
    )
    # ConfigParser interpolation: a literal % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Apply every migration up to the latest (one migrating process at a time)."""
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_lock(:n)"), {"n": _MIGRATION_LOCK})
                conn.commit()
            try:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                conn.commit()
            finally:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_unlock(:n)"), {"n": _MIGRATION_LOCK})
                    conn.commit()
    finally:
        engine.dispose()


@functools.cache
def head_revision() -> str | None:
    """Return the latest revision the packaged migrations reach."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def schema_is_current(database: Database) -> bool:
    """Return whether *database* is at the schema this release needs (raises when unreachable)."""
    with database.read() as session:
        current = MigrationContext.configure(session.connection()).get_current_revision()
    return current == head_revision()
