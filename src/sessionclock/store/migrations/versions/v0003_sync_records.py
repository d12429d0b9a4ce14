"""Sync between devices: record ids, versions and dirty flags on sessions; the other records and
tombstones; where each account's sync stands.

Existing sessions get fresh random record ids and are marked changed (unversioned), so the first
sync pushes them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

# Batch mode copies the table; session ids stay never reused (SQLite AUTOINCREMENT).
_AUTOINCREMENT = {"sqlite_autoincrement": True}


def _account_id() -> sa.Column[str]:
    return sa.Column("account_id", sa.String(36), nullable=False)


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=f"fk_{table}_account_id_accounts",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Add the sync columns (filling record ids) and create the two sync tables."""
    with op.batch_alter_table("sessions", table_kwargs=_AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("record_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("version", sa.String(40), server_default="", nullable=False))
        batch.add_column(sa.Column("synced_version", sa.String(40), nullable=True))
        batch.add_column(sa.Column("dirty", sa.Boolean(), server_default="1", nullable=False))
    connection = op.get_bind()
    ids = connection.execute(sa.text("SELECT id FROM sessions")).scalars().all()
    for session_id in ids:
        connection.execute(
            sa.text("UPDATE sessions SET record_id = :r WHERE id = :i"),
            {"r": str(uuid.uuid4()), "i": session_id},
        )
    with op.batch_alter_table("sessions", table_kwargs=_AUTOINCREMENT) as batch:
        batch.alter_column("record_id", existing_type=sa.String(36), nullable=False)
        batch.create_unique_constraint(
            "uq_sessions_account_id_record_id", ["account_id", "record_id"]
        )
    op.create_table(
        "sync_records",
        _account_id(),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.String(40), server_default="", nullable=False),
        sa.Column("synced_version", sa.String(40), nullable=True),
        sa.Column("dirty", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("deleted_utc", sa.DateTime(), nullable=True),
        sa.Column("payload_sealed", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", "record_id", name="pk_sync_records"),
        _account_fk("sync_records"),
        sa.CheckConstraint(
            "kind IN ('session', 'calendar', 'preferences', 'device')",
            name="ck_sync_records_kind",
        ),
    )
    op.create_index("ix_sync_records_account_id_dirty", "sync_records", ["account_id", "dirty"])
    op.create_table(
        "sync_state",
        _account_id(),
        sa.Column("node", sa.String(16), nullable=False),
        sa.Column("clock", sa.String(40), nullable=False),
        sa.Column("cursor", sa.Integer(), server_default="0", nullable=False),
        sa.Column("service_account", sa.String(64), nullable=True),
        sa.Column("device_id", sa.String(64), nullable=True),
        sa.Column("reseal_epoch", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name="pk_sync_state"),
        _account_fk("sync_state"),
    )


def downgrade() -> None:
    """Drop the sync tables and columns."""
    op.drop_table("sync_state")
    op.drop_index("ix_sync_records_account_id_dirty", table_name="sync_records")
    op.drop_table("sync_records")
    with op.batch_alter_table("sessions", table_kwargs=_AUTOINCREMENT) as batch:
        batch.drop_constraint("uq_sessions_account_id_record_id", type_="unique")
        batch.drop_column("dirty")
        batch.drop_column("synced_version")
        batch.drop_column("version")
        batch.drop_column("record_id")
