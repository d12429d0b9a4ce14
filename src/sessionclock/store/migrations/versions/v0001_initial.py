"""The first schema: accounts, sessions, fired reminders, settings and feed sources.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


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
    """Create every table."""
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        _account_id(),
        sa.Column("client_name_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("start_utc", sa.DateTime(), nullable=False),
        sa.Column("start_zone", sa.String(64), nullable=False),
        sa.Column("end_utc", sa.DateTime(), nullable=False),
        sa.Column("end_zone", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("actual_start_utc", sa.DateTime(), nullable=True),
        sa.Column("actual_start_zone", sa.String(64), nullable=True),
        sa.Column("actual_end_utc", sa.DateTime(), nullable=True),
        sa.Column("actual_end_zone", sa.String(64), nullable=True),
        sa.Column("extra_minutes", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        _account_fk("sessions"),
        sa.UniqueConstraint("id", "account_id", name="uq_sessions_id_account_id"),
        sa.CheckConstraint("source IN ('manual', 'calendar')", name="ck_sessions_source"),
        sa.CheckConstraint("extra_minutes >= 0", name="ck_sessions_extra_minutes"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sessions_account_id_start_utc", "sessions", ["account_id", "start_utc"])
    op.create_index("ix_sessions_account_id_end_utc", "sessions", ["account_id", "end_utc"])
    op.create_table(
        "fired_reminders",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        _account_id(),
        sa.PrimaryKeyConstraint("session_id", "lead_minutes", name="pk_fired_reminders"),
        _account_fk("fired_reminders"),
        sa.ForeignKeyConstraint(
            ["session_id", "account_id"],
            ["sessions.id", "sessions.account_id"],
            name="fk_fired_reminders_session_id_account_id_sessions",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "settings",
        _account_id(),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "key", name="pk_settings"),
        _account_fk("settings"),
    )
    op.create_table(
        "feed_sources",
        _account_id(),
        sa.Column("url_sealed", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_feed_sources"),
        _account_fk("feed_sources"),
    )


def downgrade() -> None:
    """Drop every table."""
    op.drop_table("feed_sources")
    op.drop_table("settings")
    op.drop_table("fired_reminders")
    op.drop_index("ix_sessions_account_id_end_utc", table_name="sessions")
    op.drop_index("ix_sessions_account_id_start_utc", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("accounts")
