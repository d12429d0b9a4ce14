"""The ORM tables of the local store. Every row carries a non-null account id.

These classes never leave ``sessionclock.store``: the repository turns rows into core dataclasses.
Times are stored as naive UTC plus the zone they were written in (see
``sessionclock.core.timestamps``); client names and the feed address are stored sealed (see
``sessionclock.core.crypto``), never in clear.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ACCOUNT_ID_LENGTH = 36
RECORD_ID_LENGTH = 36
VERSION_LENGTH = 40
ZONE_LENGTH = 64
SERVICE_URL_LENGTH = 2048

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints the same way."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _account_fk() -> Mapped[str]:
    return mapped_column(
        String(ACCOUNT_ID_LENGTH),
        ForeignKey("accounts.id", ondelete="CASCADE"),
        nullable=False,
    )


class AccountRow(Base):
    """A practitioner's profile on this computer.

    Attributes:
        id: a random UUID in text form.
    """

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(ACCOUNT_ID_LENGTH), primary_key=True)


class SessionRow(Base):
    """One booked session; the client name is sealed.

    Attributes:
        id: the session id (never reused, SQLite AUTOINCREMENT).
        account_id: the owning account.
        client_name_sealed: the client name, sealed with purpose "client-name".
        start_utc: booked start as naive UTC; ``start_zone`` holds its zone.
        end_utc: booked end as naive UTC; ``end_zone`` holds its zone.
        source: "manual" or "calendar".
        actual_start_utc: when the practitioner pressed Start, if they did (with its zone).
        actual_end_utc: when the practitioner pressed End, if they did (with its zone).
        extra_minutes: minutes added with "+5 min".
        record_id: the session's id on every device of the account (a random UUID).
        version: its version (a hybrid clock timestamp; empty until first stamped).
        synced_version: the newest version of it had from, or given to, the service.
        dirty: changed here since it was last pushed.
    """

    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("id", "account_id"),
        UniqueConstraint("account_id", "record_id"),
        Index("ix_sessions_account_id_start_utc", "account_id", "start_utc"),
        Index("ix_sessions_account_id_end_utc", "account_id", "end_utc"),
        CheckConstraint("source IN ('manual', 'calendar')", name="source"),
        CheckConstraint("extra_minutes >= 0", name="extra_minutes"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = _account_fk()
    client_name_sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    start_utc: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    start_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH), nullable=False)
    end_utc: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    end_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH), nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    actual_start_utc: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    actual_start_zone: Mapped[str | None] = mapped_column(String(ZONE_LENGTH), nullable=True)
    actual_end_utc: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    actual_end_zone: Mapped[str | None] = mapped_column(String(ZONE_LENGTH), nullable=True)
    extra_minutes: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    record_id: Mapped[str] = mapped_column(String(RECORD_ID_LENGTH), nullable=False)
    version: Mapped[str] = mapped_column(String(VERSION_LENGTH), nullable=False, server_default="")
    synced_version: Mapped[str | None] = mapped_column(String(VERSION_LENGTH), nullable=True)
    dirty: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="1")


class FiredReminderRow(Base):
    """A reminder that has fired, so it never fires twice (also across a restart).

    The composite foreign key to ``sessions(id, account_id)`` makes a reminder of one account
    pointing at another account's session impossible.

    Attributes:
        session_id: the session the reminder belongs to.
        lead_minutes: the reminder's lead time before hands-on time ends.
        account_id: the owning account (the same as the session's).
    """

    __tablename__ = "fired_reminders"
    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "account_id"],
            ["sessions.id", "sessions.account_id"],
            ondelete="CASCADE",
        ),
    )

    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_minutes: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = _account_fk()


class SettingRow(Base):
    """One setting of an account, as JSON text.

    Attributes:
        account_id: the owning account.
        key: the setting's name.
        value_json: the value, serialised as JSON.
    """

    __tablename__ = "settings"

    account_id: Mapped[str] = mapped_column(
        String(ACCOUNT_ID_LENGTH), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text, nullable=False)


class FeedSourceRow(Base):
    """The calendar feed of an account (at most one), its address sealed.

    Attributes:
        account_id: the owning account.
        url_sealed: the feed address, sealed with purpose "feed-url".
    """

    __tablename__ = "feed_sources"

    account_id: Mapped[str] = mapped_column(
        String(ACCOUNT_ID_LENGTH), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    url_sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class ServiceLinkRow(Base):
    """The account at the hosted service that a local account belongs to (at most one).

    A local account without this row holds data from before accounts existed; the first
    sign-in on this computer may adopt it.

    Attributes:
        account_id: the local account.
        service_url: the service the account lives at.
        email_sealed: the account's e-mail address, sealed with purpose "account-email".
        entitlement_sealed: the last successful subscription check, sealed with purpose
            "entitlement" (so it cannot be edited into a longer subscription), or None.
    """

    __tablename__ = "service_links"

    account_id: Mapped[str] = mapped_column(
        String(ACCOUNT_ID_LENGTH), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    service_url: Mapped[str] = mapped_column(String(SERVICE_URL_LENGTH), nullable=False)
    email_sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    entitlement_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class SyncRecordRow(Base):
    """A synced record that is not a live session: the calendar and preferences records, the
    devices let in, and tombstones.

    The calendar's and the preferences' content lives where it always did (``feed_sources``,
    ``settings``); this row holds their record id and version. A device record's content and a
    tombstone's (a session's actual times) are sealed here with purpose "sync-record".

    Attributes:
        account_id: the owning account.
        record_id: the record's id on every device.
        kind: "session" (a tombstone), "calendar", "preferences" or "device".
        version: its version (empty until first stamped).
        synced_version: the newest version had from, or given to, the service.
        dirty: changed here since it was last pushed.
        deleted: a tombstone.
        deleted_utc: when it became one (it is forgotten after the retention period).
        payload_sealed: the sealed content of a device record or a tombstone.
    """

    __tablename__ = "sync_records"
    __table_args__ = (
        CheckConstraint("kind IN ('session', 'calendar', 'preferences', 'device')", name="kind"),
        Index("ix_sync_records_account_id_dirty", "account_id", "dirty"),
    )

    account_id: Mapped[str] = mapped_column(
        String(ACCOUNT_ID_LENGTH), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    record_id: Mapped[str] = mapped_column(String(RECORD_ID_LENGTH), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    version: Mapped[str] = mapped_column(String(VERSION_LENGTH), nullable=False, server_default="")
    synced_version: Mapped[str | None] = mapped_column(String(VERSION_LENGTH), nullable=True)
    dirty: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="1")
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="0")
    deleted_utc: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    payload_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class SyncStateRow(Base):
    """Where an account's sync between devices stands on this device.

    Attributes:
        account_id: the owning account.
        node: this device's node id in the hybrid clock (random, per account).
        clock: the clock's last timestamp.
        cursor: the service's sequence number pulled up to.
        service_account: the account's id at the service (bound into every record).
        device_id: this device's id at the service.
        reseal_epoch: every record is to be pushed again, sealed in this epoch (a rotation
            under way); None otherwise.
    """

    __tablename__ = "sync_state"

    account_id: Mapped[str] = mapped_column(
        String(ACCOUNT_ID_LENGTH), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    node: Mapped[str] = mapped_column(String(16), nullable=False)
    clock: Mapped[str] = mapped_column(String(VERSION_LENGTH), nullable=False)
    cursor: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    service_account: Mapped[str | None] = mapped_column(String(64), nullable=True)
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reseal_epoch: Mapped[int | None] = mapped_column(Integer, nullable=True)
