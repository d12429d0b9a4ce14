"""Service links: the hosted account each local account belongs to, and its last check.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the service_links table (existing accounts stay unlinked until a sign-in)."""
    op.create_table(
        "service_links",
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("service_url", sa.String(2048), nullable=False),
        sa.Column("email_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("entitlement_sealed", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name="pk_service_links"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_service_links_account_id_accounts",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    """Drop the service_links table."""
    op.drop_table("service_links")
