"""Devices, pairings, key envelopes and synced records; deletion grants.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 19:05:56.142688

Every new table hangs off its account with ON DELETE CASCADE, so deleting an account deletes
its devices, pairings, envelopes, sync state and records in the same statement. A device hangs
off its API token the same way; its envelopes only lose their device (SET NULL), which is how a
rotation becomes due.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account_id(table: str) -> list[SchemaItem]:
    return [
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{table}_account_id_accounts"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "deletion_grants",
        sa.Column("id", sa.String(length=32), nullable=False),
        *_account_id("deletion_grants"),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deletion_grants")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_deletion_grants_token_hash")),
    )
    with op.batch_alter_table("deletion_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deletion_grants_account_id"), ["account_id"])
        batch_op.create_index(batch_op.f("ix_deletion_grants_expires_at"), ["expires_at"])

    op.create_table(
        "sync_states",
        *_account_id("sync_states"),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("recovery_salt", sa.LargeBinary(), nullable=True),
        sa.Column("recovery_public_key", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_sync_states")),
    )

    op.create_table(
        "sync_records",
        *_account_id("sync_records"),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "record_id", name=op.f("pk_sync_records")),
    )
    with op.batch_alter_table("sync_records", schema=None) as batch_op:
        batch_op.create_index("ix_sync_records_account_id_seq", ["account_id", "seq"], unique=True)
        batch_op.create_index(batch_op.f("ix_sync_records_expires_at"), ["expires_at"])

    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=32), nullable=False),
        *_account_id("devices"),
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_devices_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint(
            "account_id", "public_key", name=op.f("uq_devices_account_id_public_key")
        ),
        sa.UniqueConstraint("token_id", name=op.f("uq_devices_token_id")),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_account_id"), ["account_id"])

    op.create_table(
        "key_envelopes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        *_account_id("key_envelopes"),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("recovery", sa.Boolean(), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=True),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_key_envelopes_device_id_devices"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_envelopes")),
    )
    with op.batch_alter_table("key_envelopes", schema=None) as batch_op:
        batch_op.create_index("ix_key_envelopes_account_id_epoch", ["account_id", "epoch"])
        batch_op.create_index(batch_op.f("ix_key_envelopes_device_id"), ["device_id"])

    op.create_table(
        "pairings",
        sa.Column("id", sa.String(length=32), nullable=False),
        *_account_id("pairings"),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("commitment", sa.LargeBinary(), nullable=False),
        sa.Column("nonce_a", sa.LargeBinary(), nullable=True),
        sa.Column("approver_device_id", sa.String(length=32), nullable=True),
        sa.Column("nonce_b", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_device_id"],
            ["devices.id"],
            name=op.f("fk_pairings_approver_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["devices.id"],
            name=op.f("fk_pairings_device_id_devices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairings")),
        sa.UniqueConstraint("device_id", name=op.f("uq_pairings_device_id")),
    )
    with op.batch_alter_table("pairings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairings_account_id"), ["account_id"])
        batch_op.create_index(batch_op.f("ix_pairings_approver_device_id"), ["approver_device_id"])
        batch_op.create_index(batch_op.f("ix_pairings_expires_at"), ["expires_at"])


def downgrade() -> None:
    """Downgrade schema (every device, envelope and synced record is dropped)."""
    for table in (
        "pairings",
        "key_envelopes",
        "devices",
        "sync_records",
        "sync_states",
        "deletion_grants",
    ):
        op.drop_table(table)
