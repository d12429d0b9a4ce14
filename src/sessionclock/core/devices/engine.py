"""What a sync changes, decided by pure functions the store calls inside its transactions.

A sync pushes this device's changed records, then pulls everything newer than its cursor. For
each record pulled and opened, ``decide`` compares it with what this device holds:

- a record this device never had is stored as it came;
- a version older than one this device already had from the service is a replay: refused and
  reported, never applied (the service, or someone with its database, sent an old record again);
- the version this device already has (its own push coming back, or a record re-sealed after a
  key rotation) changes nothing;
- anything else is merged (``merge``); a result that differs from what came is a new change of
  this device, with a new version, pushed at the next sync.

Two kinds of duplicate can appear when devices worked apart before they were paired (or
offline): two ``calendar`` or ``preferences`` records (each device made its own), and the same
calendar booking imported on both devices under different record ids. ``newer_singleton`` and
``duplicate_bookings`` settle both the same way on every device: the newest singleton wins, the
smallest record id of identical bookings survives (with every actual time), and the others
become tombstones.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sessionclock.core.devices.hlc import Hlc
from sessionclock.core.devices.merge import Version, merge_all
from sessionclock.core.devices.records import OpenedRecord, Payload, Tombstone, kind_of
from sessionclock.core.models import Session, SessionSource


@dataclass(frozen=True, slots=True)
class LocalRecord:
    """A record as this device holds it.

    Attributes:
        record_id: its id.
        version: its version (None for a record from before syncing that was never stamped).
        synced: the newest version of it this device has had from (or given to) the service.
        dirty: changed here since it was last pushed.
        payload: what it says here.
    """

    record_id: str
    version: Hlc | None
    synced: Hlc | None
    dirty: bool
    payload: Payload


class Outcome(enum.Enum):
    """What to do with a record pulled from the service."""

    STORE = "store"
    """Write the decision's payload (and version) for the record."""
    KEEP = "keep"
    """Leave the record as it is (it only becomes known as synced at the incoming version)."""
    REPLAY = "replay"
    """Refuse it: an older version than one already had from the service."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What a pulled record does to this device's copy.

    Attributes:
        outcome: store, keep or refuse.
        payload: what to store (``STORE`` only).
        version: the version to store it at; None means a new version of this device.
        dirty: whether the stored record must be pushed.
    """

    outcome: Outcome
    payload: Payload | None = None
    version: Hlc | None = None
    dirty: bool = False


def decide(local: LocalRecord | None, incoming: OpenedRecord) -> Decision:
    """Return what *incoming* does to *local*, this device's copy of the same record."""
    if local is None:
        return Decision(Outcome.STORE, incoming.payload, incoming.version)
    if local.synced is not None and incoming.version < local.synced:
        return Decision(Outcome.REPLAY)
    if incoming.version in (local.synced, local.version):
        return Decision(Outcome.KEEP)
    theirs = Version(incoming.version, incoming.payload)
    # A record from before syncing that was never stamped counts as older than any version.
    mine = Version(local.version or Hlc.zero(incoming.version.node), local.payload)
    merged = merge_all([mine, theirs])
    if merged == theirs:
        return Decision(Outcome.STORE, theirs.payload, theirs.version)
    if local.version is not None and merged == mine:
        return Decision(Outcome.KEEP)
    return Decision(Outcome.STORE, merged.payload, None, dirty=True)


def newer_singleton(local: LocalRecord, incoming: OpenedRecord) -> bool:
    """Return whether *incoming*, a calendar or preferences record with another id than this
    device's *local* one, wins over it (the newer one does; the other becomes a tombstone)."""
    if local.version is None:
        return True
    return (incoming.version, incoming.record_id) > (local.version, local.record_id)


def booking_key(session: Session) -> tuple[str, datetime, datetime] | None:
    """Return what makes two calendar bookings the same (name, start, end), or None for a
    session added by hand (those are never merged away)."""
    if session.source is not SessionSource.CALENDAR:
        return None
    return (session.client_name, session.start.astimezone(UTC), session.end.astimezone(UTC))


def duplicate_bookings(sessions: Iterable[tuple[str, Session]]) -> list[tuple[str, list[str]]]:
    """Return, for each calendar booking held under several record ids, the id that stays (the
    smallest) and the ids that go."""
    groups: dict[tuple[str, datetime, datetime], list[str]] = defaultdict(list)
    for record_id, session in sessions:
        key = booking_key(session)
        if key is not None:
            groups[key].append(record_id)
    return [(min(ids), sorted(ids)[1:]) for ids in groups.values() if len(set(ids)) > 1]


def tombstone_of(payload: Payload) -> Tombstone:
    """Return the tombstone that replaces *payload* (a session's keeps its actual times)."""
    if isinstance(payload, Tombstone):
        return payload
    if isinstance(payload, Session):
        return Tombstone(
            kind_of(payload),
            actual_start=payload.actual_start,
            actual_end=payload.actual_end,
            extra_minutes=payload.extra_minutes,
        )
    return Tombstone(kind_of(payload))


def expiry(deleted_at: datetime, retention_days: int) -> datetime:
    """Return when a tombstone made at *deleted_at* may be forgotten: after the retention
    period, at the start of the next UTC day (the service is told no finer time)."""
    day = (deleted_at.astimezone(UTC) + timedelta(days=retention_days)).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class SyncState:
    """Where the account's sync stands on this device.

    Attributes:
        cursor: the service's sequence number pulled up to.
        service_account: the account's id at the service, once known.
        device_id: this device's id at the service, once registered.
        reseal_epoch: every record is to be pushed again sealed in this epoch, or None.
    """

    cursor: int
    service_account: str | None
    device_id: str | None
    reseal_epoch: int | None


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A record to push.

    Attributes:
        record_id: its id.
        version: its version.
        payload: what it says.
        expires_at: when the service may forget it (tombstones only).
    """

    record_id: str
    version: Hlc
    payload: Payload
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Received:
    """What a batch of records from the service changed here.

    Attributes:
        sessions_changed: a session was added, changed or deleted.
        calendar_changed: the calendar connection or its options changed.
        preferences_changed: the shared preferences changed.
        devices_changed: the devices let in changed.
        replays: records refused as older than a version already had (reported, not applied).
        ahead: versions too far ahead of this computer's clock to move it (kept, reported).
    """

    sessions_changed: bool = False
    calendar_changed: bool = False
    preferences_changed: bool = False
    devices_changed: bool = False
    replays: int = 0
    ahead: int = 0

    def plus(self, other: Received) -> Received:
        """Return what this and *other* changed together."""
        return Received(
            sessions_changed=self.sessions_changed or other.sessions_changed,
            calendar_changed=self.calendar_changed or other.calendar_changed,
            preferences_changed=self.preferences_changed or other.preferences_changed,
            devices_changed=self.devices_changed or other.devices_changed,
            replays=self.replays + other.replays,
            ahead=self.ahead + other.ahead,
        )
