"""What every write of the store does for syncing between devices, inside its own transaction:
give the changed record a new version of the hybrid clock and mark it for the next push; turn a
deleted session into a tombstone; and map session rows to and from core values.

Shared by ``AccountRepository`` (the practitioner's edits, calendar imports) and ``SyncRecords``
(what comes from other devices), so both version and mark records the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as OrmSession

from sessionclock.core.crypto import Purpose, Sealer
from sessionclock.core.devices.engine import tombstone_of
from sessionclock.core.devices.hlc import Hlc, new_node, receive, tick, too_far_ahead
from sessionclock.core.devices.records import (
    Payload,
    RecordKind,
    from_json,
    new_record_id,
    to_json,
)
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.timestamps import from_stored, to_utc, zone_label
from sessionclock.store.tables import FiredReminderRow, SessionRow, SyncRecordRow, SyncStateRow


class Stamps:
    """The account's hybrid clock for one transaction: read once, moved, written back once.

    Attributes:
        state: the account's sync state row (created on first use).
    """

    def __init__(self, orm: OrmSession, account_id: str, now: datetime) -> None:
        state = orm.scalar(select(SyncStateRow).where(SyncStateRow.account_id == account_id))
        if state is None:
            node = new_node()
            state = SyncStateRow(account_id=account_id, node=node, clock=str(Hlc.zero(node)))
            orm.add(state)
        self.state = state
        self._clock = Hlc.parse(state.clock)
        self._now_ms = int(now.timestamp() * 1000)

    def next(self) -> str:
        """Return a new version for a change made now."""
        self._clock = tick(self._clock, self._now_ms)
        self.state.clock = str(self._clock)
        return self.state.clock

    def seen(self, remote: Hlc) -> bool:
        """Move the clock past a version received; False if it is too far ahead to follow."""
        if too_far_ahead(remote, self._now_ms):
            return False
        self._clock = receive(self._clock, remote, self._now_ms)
        self.state.clock = str(self._clock)
        return True


def fill_session_row(row: SessionRow, session: Session, sealer: Sealer) -> None:
    """Write *session*'s fields into *row* (the client name sealed)."""
    row.client_name_sealed = sealer.seal(session.client_name, purpose=Purpose.CLIENT_NAME)
    row.start_utc, row.start_zone = to_utc(session.start), zone_label(session.start)
    row.end_utc, row.end_zone = to_utc(session.end), zone_label(session.end)
    row.source = session.source.value
    row.actual_start_utc, row.actual_start_zone = _split_optional(session.actual_start)
    row.actual_end_utc, row.actual_end_zone = _split_optional(session.actual_end)
    row.extra_minutes = session.extra_minutes


def session_of(row: SessionRow, sealer: Sealer) -> Session:
    """Return the session *row* holds (the client name opened)."""
    return Session(
        client_name=sealer.open(row.client_name_sealed, purpose=Purpose.CLIENT_NAME),
        start=from_stored(row.start_utc, row.start_zone),
        end=from_stored(row.end_utc, row.end_zone),
        source=SessionSource(row.source),
        actual_start=_join_optional(row.actual_start_utc, row.actual_start_zone),
        actual_end=_join_optional(row.actual_end_utc, row.actual_end_zone),
        extra_minutes=row.extra_minutes,
        id=row.id,
    )


def _split_optional(value: datetime | None) -> tuple[datetime | None, str | None]:
    return (None, None) if value is None else (to_utc(value), zone_label(value))


def _join_optional(utc: datetime | None, zone: str | None) -> datetime | None:
    return None if utc is None or zone is None else from_stored(utc, zone)


def seal_payload(payload: Payload, sealer: Sealer) -> bytes:
    """Seal a device record or tombstone for keeping in ``sync_records``."""
    return sealer.seal(json.dumps(to_json(payload), sort_keys=True), purpose=Purpose.SYNC_RECORD)


def open_payload(sealed: bytes, sealer: Sealer) -> Payload:
    """Open what ``seal_payload`` sealed."""
    return from_json(json.loads(sealer.open(sealed, purpose=Purpose.SYNC_RECORD)))


def delete_sessions(
    orm: OrmSession,
    *,
    account_id: str,
    rows: Iterable[SessionRow],
    stamps: Stamps,
    sealer: Sealer,
    now: datetime,
) -> None:
    """Delete session *rows* with their fired reminders, leaving a tombstone of each (kept
    until the retention period has passed, pushed at the next sync)."""
    rows = list(rows)
    if not rows:
        return
    ids = [row.id for row in rows]
    orm.execute(
        delete(FiredReminderRow).where(
            FiredReminderRow.account_id == account_id, FiredReminderRow.session_id.in_(ids)
        )
    )
    for row in rows:
        tombstone = tombstone_of(session_of(row, sealer))
        put_record_row(
            orm,
            account_id=account_id,
            record_id=row.record_id,
            kind=RecordKind.SESSION,
            version=stamps.next(),
            synced=row.synced_version,
            dirty=True,
            payload_sealed=seal_payload(tombstone, sealer),
            deleted_at=now,
        )
    orm.execute(
        delete(SessionRow).where(SessionRow.account_id == account_id, SessionRow.id.in_(ids))
    )


def put_record_row(
    orm: OrmSession,
    *,
    account_id: str,
    record_id: str,
    kind: RecordKind,
    version: str,
    synced: str | None,
    dirty: bool,
    payload_sealed: bytes | None = None,
    deleted_at: datetime | None = None,
) -> SyncRecordRow:
    """Write a ``sync_records`` row (a tombstone when *deleted_at* is given)."""
    row = orm.scalar(
        select(SyncRecordRow).where(
            SyncRecordRow.account_id == account_id, SyncRecordRow.record_id == record_id
        )
    )
    if row is None:
        row = SyncRecordRow(account_id=account_id, record_id=record_id, kind=kind.value)
        orm.add(row)
    row.kind = kind.value
    row.version = version
    row.synced_version = synced
    row.dirty = dirty
    row.deleted = deleted_at is not None
    row.deleted_utc = None if deleted_at is None else to_utc(deleted_at)
    row.payload_sealed = payload_sealed
    return row


def live_singleton(orm: OrmSession, account_id: str, kind: RecordKind) -> SyncRecordRow | None:
    """Return the live calendar or preferences record row of the account, if it has one."""
    return orm.scalar(
        select(SyncRecordRow)
        .where(
            SyncRecordRow.account_id == account_id,
            SyncRecordRow.kind == kind.value,
            SyncRecordRow.deleted.is_(False),
        )
        .order_by(SyncRecordRow.version.desc(), SyncRecordRow.record_id.desc())
        .limit(1)
    )


def touch_singleton(orm: OrmSession, account_id: str, kind: RecordKind, stamps: Stamps) -> None:
    """Mark the account's calendar or preferences record changed (making it if there is none)."""
    row = live_singleton(orm, account_id, kind)
    if row is None:
        row = SyncRecordRow(
            account_id=account_id, record_id=new_record_id(), kind=kind.value, deleted=False
        )
        orm.add(row)
    row.version = stamps.next()
    row.dirty = True


def utc_now(now: datetime) -> datetime:
    """Return *now* in UTC (what ``deleted_utc`` is compared with)."""
    return now.astimezone(UTC)
