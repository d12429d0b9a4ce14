"""Database tables: accounts, billing state, and devices' sealed records it cannot open.

No column holds a schedule or client data in the clear: synced records and key envelopes are
ciphertext sealed on the devices, under keys the service never has.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints predictably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Account(Base):
    """A practitioner's account: an e-mail, a password hash and what they may use.

    Attributes:
        trial_ends_at: End of the trial started at sign-up.
        complimentary: Access granted by staff, independent of Stripe.
        stripe_customer_id: The Stripe customer created for this account, if any.
        subscription_status: Stripe's status of the subscription as last read from Stripe.
        subscription_period_end: End of the paid period as last read from Stripe.
    """

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    trial_ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    complimentary: Mapped[bool] = mapped_column(Boolean, default=False)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    subscription_status: Mapped[str | None] = mapped_column(String(32))
    subscription_period_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """An opaque API token of the desktop app, stored only as its SHA-256 hash."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Signup(Base):
    """A sign-up waiting for its address to be confirmed with the mailed code.

    Each sign-up of an address has its own row, password and code, so a stranger signing up
    the same address cannot swap in a password of theirs: a code confirms only the password
    it was mailed for. No account exists until a code is confirmed; expired rows are deleted.

    Attributes:
        code_hash: The code's keyed hash (`security.CodeHasher`), never the code.
        attempts: Wrong codes tried against this sign-up; at the limit its code is dead.
    """

    __tablename__ = "signups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PasswordReset(Base):
    """The one outstanding password-reset code of an account (single use, attempts limited).

    Attributes:
        code_hash: The code's keyed hash (`security.CodeHasher`), never the code.
        attempts: Wrong codes tried; at the limit the code is dead.
    """

    __tablename__ = "password_resets"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RateEvent(Base):
    """One counted event (a failure, a password hash, a mail, a sign-in) under a limit's key.

    Keys hold keyed hashes of e-mail and client addresses, never the addresses themselves.
    """

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ProcessedWebhookEvent(Base):
    """A Stripe event id already applied, recorded in the transaction that applied it."""

    __tablename__ = "processed_webhook_events"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(100))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxEmail(Base):
    """A message waiting to be sent; written in the transaction of the action that caused it.

    The message itself is encrypted with the service's secret key, so a reset code waiting in the
    outbox is not readable from a database dump. ``recipient_key`` (a keyed hash of the address)
    lets an account's deletion find and drop the messages still queued for it.
    """

    __tablename__ = "outbox_emails"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(String(200))
    recipient_key: Mapped[str | None] = mapped_column(String(64), index=True)


class StaffAccount(Base):
    """A staff member of the admin area; separate from customer accounts."""

    __tablename__ = "staff_accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffSession(Base):
    """A staff sign-in: the cookie's hash, its CSRF token and its expiry."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One admin action: who, when, what and on which account."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    staff_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    account_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")


class DeletionGrant(Base):
    """A credential that can only delete its account, stored only as its SHA-256 hash.

    Issued against the password, so an account deleted while the app is offline can be deleted
    at the service later without the app keeping the password. Dies with a password change or
    reset, and at ``expires_at``.
    """

    __tablename__ = "deletion_grants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Device(Base):
    """A signed-in API token with a registered X25519 public key; it goes when its token goes.

    Attributes:
        last_sync_at: Its last push or pull (written at most once a minute).
    """

    __tablename__ = "devices"
    __table_args__ = (
        UniqueConstraint("account_id", "public_key", name="uq_devices_account_id_public_key"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_id: Mapped[str] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), unique=True
    )
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SyncState(Base):
    """An account's sync bookkeeping; its row is the lock every key and record write takes.

    Attributes:
        epoch: The current data key's epoch (0 while the account has none).
        last_seq: The sequence number of the account's latest accepted record write.
        recovery_salt: The recovery code's scrypt salt.
        recovery_public_key: The recovery recipient's X25519 public key.
    """

    __tablename__ = "sync_states"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    recovery_salt: Mapped[bytes | None] = mapped_column(LargeBinary)
    recovery_public_key: Mapped[bytes | None] = mapped_column(LargeBinary)


class KeyEnvelope(Base):
    """An epoch's data key sealed to one recipient: a device, or the recovery recipient.

    When its device goes, ``device_id`` turns NULL: a device envelope of the current epoch
    without a device is what makes a rotation due. Older epochs' envelopes are dropped at each
    rotation.
    """

    __tablename__ = "key_envelopes"
    __table_args__ = (Index("ix_key_envelopes_account_id_epoch", "account_id", "epoch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    epoch: Mapped[int] = mapped_column(Integer)
    recovery: Mapped[bool] = mapped_column(Boolean, default=False)
    device_id: Mapped[str | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), index=True
    )
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Pairing(Base):
    """A new device asking to join, and where the commit-then-reveal exchange stands.

    One per device (a new one replaces it); gone at ``expires_at`` whatever its state.
    """

    __tablename__ = "pairings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[str] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[str] = mapped_column(String(10))
    commitment: Mapped[bytes] = mapped_column(LargeBinary)
    nonce_a: Mapped[bytes | None] = mapped_column(LargeBinary)
    approver_device_id: Mapped[str | None] = mapped_column(
        ForeignKey("devices.id", ondelete="CASCADE"), index=True
    )
    nonce_b: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SyncRecord(Base):
    """One synced record as a device sealed it: the service reads its metadata, never inside.

    Attributes:
        version: The device's version text, compared as a byte string.
        size: The ciphertext's length in bytes (what the account's caps count).
        seq: The account's sequence number of this write (pulls go in its order).
        expires_at: When the record is deleted (tombstones), if ever.
    """

    __tablename__ = "sync_records"
    __table_args__ = (Index("ix_sync_records_account_id_seq", "account_id", "seq", unique=True),)

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    epoch: Mapped[int] = mapped_column(Integer)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
