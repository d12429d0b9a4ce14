"""Alembic environment: migrate the connection handed over in ``config.attributes``.

``sessionclock.store.database`` builds the Alembic ``Config`` in code and passes an open
connection, so the pragmas and the transaction are the store's own.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from sessionclock.store.tables import Base


def run_migrations() -> None:
    """Run the migrations on the connection the caller provided."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run Session Clock's migrations through sessionclock.store.database")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
