"""The account's synced records as the sync with the practitioner's other devices sees them:
what to push, what was pushed, and what came from the service, applied in one transaction.

``SyncRecords`` is account-scoped like ``AccountRepository`` (every statement carries the
account's id) and decides with ``sessionclock.core.devices.engine``. Incoming records are
already opened and verified; this module writes what the engine decides, with the hybrid clock
moved past every version seen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session as OrmSession

from sessionclock.core.clock import Clock
from sessionclock.core.crypto import Purpose, Sealer
from sessionclock.core.devices.engine import (
    LocalRecord,
    Outcome,
    Outgoing,
    Received,
    SyncState,
    decide,
    duplicate_bookings,
    expiry,
    newer_singleton,
)
from sessionclock.core.devices.hlc import Hlc
from sessionclock.core.devices.merge import keep_actual_times
from sessionclock.core.devices.records import (
    SINGLETONS,
    CalendarRecord,
    DeviceRecord,
    OpenedRecord,
    Payload,
    PreferencesRecord,
    RecordKind,
    Tombstone,
    kind_of,
    new_record_id,
    shared_part,
)
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import PREFERENCES_KEY, Preferences
from sessionclock.core.timestamps import to_utc
from sessionclock.store.engine import checkpoint_wal
from sessionclock.store.failures import storage_errors
from sessionclock.store.scoped import AccountScoped
from sessionclock.store.sync_rows import (
    Stamps,
    delete_sessions,
    fill_session_row,
    live_singleton,
    open_payload,
    put_record_row,
    seal_payload,
    session_of,
)
from sessionclock.store.tables import (
    FeedSourceRow,
    FiredReminderRow,
    SessionRow,
    SettingRow,
    SyncRecordRow,
    SyncStateRow,
)


@dataclass
class _Changes:
    sessions: bool = False
    calendar: bool = False
    preferences: bool = False
    devices: bool = False
    feed_replaced: bool = False
    replays: int = 0
    ahead: int = 0


_SESSION_ROWS = "sessionclock.session_rows"
"""Where ``receive`` keeps, for its transaction, the session rows of the records it applies
(read in one query instead of one a record; kept up to date as rows come and go)."""
_IN_BATCH = 500
"""Record ids in one ``IN`` list (SQLite allows 999 parameters a statement)."""


def _remember(orm: OrmSession, record_id: str, row: SessionRow | None) -> None:
    known: dict[str, SessionRow | None] | None = orm.info.get(_SESSION_ROWS)
    if known is not None:
        known[record_id] = row


def _hlc(text: str | None) -> Hlc | None:
    return Hlc.parse(text) if text else None


class SyncRecords(AccountScoped):
    """One account's records for syncing between devices.

    Attributes:
        account_id: the only account this reads or changes.
    """

    def __init__(self, *, engine: Engine, account_id: str, sealer: Sealer, clock: Clock) -> None:
        """Create it for *account_id*; use ``Database.sync_records`` instead."""
        super().__init__(engine=engine, account_id=account_id, sealer=sealer, clock=clock)

    # -- state -----------------------------------------------------------------------------------

    def state(self) -> SyncState:
        """Return where the sync stands."""
        with self._read() as orm:
            row = orm.scalar(select(SyncStateRow).where(SyncStateRow.account_id == self.account_id))
        if row is None:
            return SyncState(0, None, None, None)
        return SyncState(row.cursor, row.service_account, row.device_id, row.reseal_epoch)

    def link(self, *, service_account: str, device_id: str) -> None:
        """Remember the account's id at the service and this device's."""
        with self._write() as orm:
            state = self._stamps(orm).state
            state.service_account, state.device_id = service_account, device_id

    def join(self) -> None:
        """Start syncing afresh (this device just got the account's key): everything here is to
        be pushed, and everything at the service pulled."""
        with self._write() as orm:
            state = self._stamps(orm).state
            state.cursor, state.reseal_epoch = 0, None
            for table in (SessionRow, SyncRecordRow):
                orm.execute(
                    update(table)
                    .where(table.account_id == self.account_id)
                    .values(dirty=True, synced_version=None)
                )

    def start_reseal(self, epoch: int) -> None:
        """Push every record again at the next sync, sealed in *epoch* (after a rotation)."""
        with self._write() as orm:
            self._stamps(orm).state.reseal_epoch = epoch

    def finish_reseal(self, epoch: int) -> None:
        """Every record was pushed again in *epoch*."""
        with self._write() as orm:
            state = self._stamps(orm).state
            if state.reseal_epoch == epoch:
                state.reseal_epoch = None

    # -- pushing ---------------------------------------------------------------------------------

    def outgoing(self, *, everything: bool = False) -> tuple[Outgoing, ...]:
        """Return the records to push: those changed here (every one, to re-seal them).

        Records from before syncing get their first version now, and the calendar connection
        and the preferences kept from before syncing become records.
        """
        with self._write() as orm:
            stamps = self._stamps(orm)
            self._adopt(orm, stamps)
            unversioned = [
                *orm.scalars(
                    select(SessionRow).where(
                        SessionRow.account_id == self.account_id, SessionRow.version == ""
                    )
                ),
                *orm.scalars(
                    select(SyncRecordRow).where(
                        SyncRecordRow.account_id == self.account_id, SyncRecordRow.version == ""
                    )
                ),
            ]
            for unstamped in unversioned:
                unstamped.version = stamps.next()
        preferences = self.preferences()
        retention = preferences.sync.retention_days
        found: list[Outgoing] = []
        with self._read() as orm:
            sessions = select(SessionRow).where(SessionRow.account_id == self.account_id)
            records = select(SyncRecordRow).where(SyncRecordRow.account_id == self.account_id)
            if not everything:
                sessions = sessions.where(SessionRow.dirty.is_(True))
                records = records.where(SyncRecordRow.dirty.is_(True))
            for session_row in orm.scalars(sessions.order_by(SessionRow.id)):
                session = session_of(session_row, self._sealer).with_changes(id=None)
                version = Hlc.parse(session_row.version)
                found.append(Outgoing(session_row.record_id, version, session))
            for row in orm.scalars(records.order_by(SyncRecordRow.record_id)):
                expires = None
                if row.deleted and row.deleted_utc is not None:
                    expires = expiry(row.deleted_utc.replace(tzinfo=UTC), retention)
                payload = self._payload(orm, row, preferences)
                found.append(Outgoing(row.record_id, Hlc.parse(row.version), payload, expires))
        return tuple(found)

    def pushed(self, accepted: Mapping[str, str]) -> None:
        """Mark records the service accepted (record id → version) as synced, unless they
        changed here meanwhile."""
        if not accepted:
            return
        with self._write() as orm:
            for record_id, version in accepted.items():
                for table in (SessionRow, SyncRecordRow):
                    orm.execute(
                        update(table)
                        .where(
                            table.account_id == self.account_id,
                            table.record_id == record_id,
                            table.version == version,
                        )
                        .values(dirty=False, synced_version=version)
                    )

    # -- receiving -------------------------------------------------------------------------------

    def receive(self, records: Sequence[OpenedRecord], *, cursor: int) -> Received:
        """Apply records pulled from the service (opened and verified), and move the cursor to
        *cursor*, in one transaction."""
        changes = _Changes()
        with self._write() as orm:
            stamps = self._stamps(orm)
            orm.info[_SESSION_ROWS] = self._session_rows(orm, [r.record_id for r in records])
            for record in records:
                if not stamps.seen(record.version):
                    changes.ahead += 1
                self._receive_one(orm, record, stamps, changes)
            del orm.info[_SESSION_ROWS]
            self._merge_duplicate_bookings(orm, records, stamps, changes)
            stamps.state.cursor = cursor
        if changes.feed_replaced:
            with storage_errors():
                checkpoint_wal(self._engine)
        return Received(
            sessions_changed=changes.sessions,
            calendar_changed=changes.calendar,
            preferences_changed=changes.preferences,
            devices_changed=changes.devices,
            replays=changes.replays,
            ahead=changes.ahead,
        )

    def _receive_one(
        self, orm: OrmSession, record: OpenedRecord, stamps: Stamps, changes: _Changes
    ) -> None:
        kind = kind_of(record.payload)
        local = self._local(orm, record.record_id)
        if local is None and kind in SINGLETONS and not isinstance(record.payload, Tombstone):
            live = live_singleton(orm, self.account_id, kind)
            if live is not None:
                self._settle_singletons(orm, live, record, stamps, changes)
                return
        decision = decide(local, record)
        if decision.outcome is Outcome.REPLAY:
            changes.replays += 1
            return
        known = None if local is None else local.synced
        synced = str(record.version if known is None else max(known, record.version))
        if decision.outcome is Outcome.KEEP:
            self._set_synced(orm, record.record_id, synced)
            return
        assert decision.payload is not None
        version = str(decision.version) if decision.version is not None else stamps.next()
        self._store(
            orm,
            record.record_id,
            decision.payload,
            version=version,
            synced=synced,
            dirty=decision.dirty,
            stamps=stamps,
            changes=changes,
        )

    def _settle_singletons(
        self,
        orm: OrmSession,
        live: SyncRecordRow,
        record: OpenedRecord,
        stamps: Stamps,
        changes: _Changes,
    ) -> None:
        # Two devices each made a calendar (or preferences) record before they were paired:
        # the newer one wins on every device, the other becomes a tombstone.
        mine = LocalRecord(
            live.record_id,
            _hlc(live.version),
            _hlc(live.synced_version),
            live.dirty,
            record.payload,
        )
        kind = kind_of(record.payload)
        now = self._clock.now()
        if newer_singleton(mine, record):
            live.deleted, live.deleted_utc = True, to_utc(now)
            live.version, live.dirty = stamps.next(), True
            self._store(
                orm,
                record.record_id,
                record.payload,
                version=str(record.version),
                synced=str(record.version),
                dirty=False,
                stamps=stamps,
                changes=changes,
            )
            return
        put_record_row(
            orm,
            account_id=self.account_id,
            record_id=record.record_id,
            kind=kind,
            version=stamps.next(),
            synced=str(record.version),
            dirty=True,
            deleted_at=now,
        )

    def _store(
        self,
        orm: OrmSession,
        record_id: str,
        payload: Payload,
        *,
        version: str,
        synced: str,
        dirty: bool,
        stamps: Stamps,
        changes: _Changes,
    ) -> None:
        kind = kind_of(payload)

        def put(sealed: bytes | None = None, deleted_at: datetime | None = None) -> None:
            put_record_row(
                orm,
                account_id=self.account_id,
                record_id=record_id,
                kind=kind,
                version=version,
                synced=synced,
                dirty=dirty,
                payload_sealed=sealed,
                deleted_at=deleted_at,
            )

        if isinstance(payload, Session):
            self._store_session(orm, record_id, payload, version, synced, dirty)
            changes.sessions = True
            return
        if isinstance(payload, Tombstone):
            if kind is RecordKind.SESSION:
                row = self._session_row(orm, record_id)
                if row is not None:
                    self._drop_session_row(orm, row)
                    changes.sessions = True
            changes.devices |= kind is RecordKind.DEVICE
            put(seal_payload(payload, self._sealer), self._clock.now())
            return
        if isinstance(payload, DeviceRecord):
            put(seal_payload(payload, self._sealer))
            changes.devices = True
            return
        put()
        preferences = Preferences.from_json(self._setting(orm))
        if isinstance(payload, CalendarRecord):
            changes.feed_replaced |= self._store_feed(orm, payload.url)
            preferences = replace(preferences, sync=payload.sync)
            changes.calendar = True
        else:
            assert isinstance(payload, PreferencesRecord)
            preferences = payload.applied_to(preferences)
            changes.preferences = True
        self._save_setting(orm, preferences)

    def _store_session(
        self,
        orm: OrmSession,
        record_id: str,
        session: Session,
        version: str,
        synced: str,
        dirty: bool,
    ) -> None:
        row = self._session_row(orm, record_id)
        if row is None:
            row = SessionRow(account_id=self.account_id, record_id=record_id)
            orm.add(row)
            _remember(orm, record_id, row)
        elif (row.start_utc, row.end_utc) != (to_utc(session.start), to_utc(session.end)):
            orm.execute(
                delete(FiredReminderRow).where(
                    FiredReminderRow.account_id == self.account_id,
                    FiredReminderRow.session_id == row.id,
                )
            )
        fill_session_row(row, session, self._sealer)
        row.version, row.synced_version, row.dirty = version, synced, dirty
        orm.execute(
            delete(SyncRecordRow).where(
                SyncRecordRow.account_id == self.account_id, SyncRecordRow.record_id == record_id
            )
        )
        orm.flush()

    def _store_feed(self, orm: OrmSession, url: str | None) -> bool:
        """Set the calendar address (sealed) or remove it; return whether one was replaced."""
        had = orm.scalar(
            select(FeedSourceRow.url_sealed).where(FeedSourceRow.account_id == self.account_id)
        )
        if url is None:
            orm.execute(delete(FeedSourceRow).where(FeedSourceRow.account_id == self.account_id))
            return had is not None
        if had is not None and self._sealer.open(had, purpose=Purpose.FEED_URL) == url:
            return False
        sealed = self._sealer.seal(url, purpose=Purpose.FEED_URL)
        statement = insert(FeedSourceRow).values(account_id=self.account_id, url_sealed=sealed)
        orm.execute(
            statement.on_conflict_do_update(
                index_elements=[FeedSourceRow.account_id],
                set_={"url_sealed": statement.excluded.url_sealed},
            )
        )
        return had is not None

    def _merge_duplicate_bookings(
        self,
        orm: OrmSession,
        records: Sequence[OpenedRecord],
        stamps: Stamps,
        changes: _Changes,
    ) -> None:
        arrived = [
            r.payload
            for r in records
            if isinstance(r.payload, Session) and r.payload.source is SessionSource.CALENDAR
        ]
        seen: set[str] = set()
        for booking in arrived:
            rows = orm.scalars(
                select(SessionRow).where(
                    SessionRow.account_id == self.account_id,
                    SessionRow.source == SessionSource.CALENDAR.value,
                    SessionRow.start_utc == to_utc(booking.start),
                    SessionRow.end_utc == to_utc(booking.end),
                )
            ).all()
            fresh = [row for row in rows if row.record_id not in seen]
            seen.update(row.record_id for row in fresh)
            if len(fresh) < 2:
                continue
            by_id = {row.record_id: row for row in fresh}
            sessions = [(row.record_id, session_of(row, self._sealer)) for row in fresh]
            for survivor_id, loser_ids in duplicate_bookings(sessions):
                survivor = by_id[survivor_id]
                kept = merged = session_of(survivor, self._sealer)
                for loser_id in loser_ids:
                    result = keep_actual_times(merged, session_of(by_id[loser_id], self._sealer))
                    assert isinstance(result, Session)
                    merged = result
                if merged != kept:
                    fill_session_row(survivor, merged, self._sealer)
                    survivor.version, survivor.dirty = stamps.next(), True
                delete_sessions(
                    orm,
                    account_id=self.account_id,
                    rows=[by_id[i] for i in loser_ids],
                    stamps=stamps,
                    sealer=self._sealer,
                    now=self._clock.now(),
                )
                changes.sessions = True

    # -- devices ---------------------------------------------------------------------------------

    def devices(self) -> tuple[DeviceRecord, ...]:
        """Return the devices let into the account (as their records say)."""
        with self._read() as orm:
            found = [device for _row, device in self._device_rows(orm)]
        return tuple(sorted(found, key=lambda d: d.device_id))

    def add_device(self, device: DeviceRecord) -> None:
        """Record that *device* was let in (pushed at the next sync)."""
        with self._write() as orm:
            put_record_row(
                orm,
                account_id=self.account_id,
                record_id=new_record_id(),
                kind=RecordKind.DEVICE,
                version=self._stamps(orm).next(),
                synced=None,
                dirty=True,
                payload_sealed=seal_payload(device, self._sealer),
            )

    def remove_device(self, device_id: str) -> None:
        """Record that the device *device_id* was removed (its record becomes a tombstone)."""
        with self._write() as orm:
            stamps = self._stamps(orm)
            for row, device in self._device_rows(orm):
                if device.device_id == device_id:
                    put_record_row(
                        orm,
                        account_id=self.account_id,
                        record_id=row.record_id,
                        kind=RecordKind.DEVICE,
                        version=stamps.next(),
                        synced=row.synced_version,
                        dirty=True,
                        payload_sealed=seal_payload(Tombstone(RecordKind.DEVICE), self._sealer),
                        deleted_at=self._clock.now(),
                    )

    def _device_rows(self, orm: OrmSession) -> list[tuple[SyncRecordRow, DeviceRecord]]:
        rows = orm.scalars(
            select(SyncRecordRow).where(
                SyncRecordRow.account_id == self.account_id,
                SyncRecordRow.kind == RecordKind.DEVICE.value,
                SyncRecordRow.deleted.is_(False),
            )
        ).all()
        found: list[tuple[SyncRecordRow, DeviceRecord]] = []
        for row in rows:
            payload = open_payload(row.payload_sealed, self._sealer) if row.payload_sealed else None
            if isinstance(payload, DeviceRecord):
                found.append((row, payload))
        return found

    # -- reading ---------------------------------------------------------------------------------

    def preferences(self) -> Preferences:
        """Return the practitioner's preferences as stored."""
        with self._read() as orm:
            return Preferences.from_json(self._setting(orm))

    def _setting(self, orm: OrmSession) -> object:
        text = orm.scalar(
            select(SettingRow.value_json).where(
                SettingRow.account_id == self.account_id, SettingRow.key == PREFERENCES_KEY
            )
        )
        return None if text is None else json.loads(text)

    def _save_setting(self, orm: OrmSession, preferences: Preferences) -> None:
        text = json.dumps(preferences.to_json(), sort_keys=True)
        statement = insert(SettingRow).values(
            account_id=self.account_id, key=PREFERENCES_KEY, value_json=text
        )
        orm.execute(
            statement.on_conflict_do_update(
                index_elements=[SettingRow.account_id, SettingRow.key],
                set_={"value_json": statement.excluded.value_json},
            )
        )

    def _payload(self, orm: OrmSession, row: SyncRecordRow, preferences: Preferences) -> Payload:
        if row.payload_sealed is not None:
            return open_payload(row.payload_sealed, self._sealer)
        if row.deleted:
            return Tombstone(RecordKind(row.kind))
        if row.kind == RecordKind.CALENDAR.value:
            sealed = orm.scalar(
                select(FeedSourceRow.url_sealed).where(FeedSourceRow.account_id == self.account_id)
            )
            url = None if sealed is None else self._sealer.open(sealed, purpose=Purpose.FEED_URL)
            return CalendarRecord(url, preferences.sync)
        return PreferencesRecord.of(preferences)

    def _local(self, orm: OrmSession, record_id: str) -> LocalRecord | None:
        row = self._session_row(orm, record_id)
        if row is not None:
            return LocalRecord(
                record_id,
                _hlc(row.version),
                _hlc(row.synced_version),
                row.dirty,
                session_of(row, self._sealer).with_changes(id=None),
            )
        record = orm.scalar(
            select(SyncRecordRow).where(
                SyncRecordRow.account_id == self.account_id, SyncRecordRow.record_id == record_id
            )
        )
        if record is None:
            return None
        payload = self._payload(orm, record, Preferences.from_json(self._setting(orm)))
        return LocalRecord(
            record_id, _hlc(record.version), _hlc(record.synced_version), record.dirty, payload
        )

    def _set_synced(self, orm: OrmSession, record_id: str, synced: str) -> None:
        for table in (SessionRow, SyncRecordRow):
            orm.execute(
                update(table)
                .where(table.account_id == self.account_id, table.record_id == record_id)
                .values(synced_version=synced)
            )

    def _session_row(self, orm: OrmSession, record_id: str) -> SessionRow | None:
        known: dict[str, SessionRow | None] | None = orm.info.get(_SESSION_ROWS)
        if known is not None and record_id in known:
            return known[record_id]
        return orm.scalar(
            select(SessionRow).where(
                SessionRow.account_id == self.account_id, SessionRow.record_id == record_id
            )
        )

    def _session_rows(
        self, orm: OrmSession, record_ids: Sequence[str]
    ) -> dict[str, SessionRow | None]:
        """Return the session rows of *record_ids* (None where there is none), read at once."""
        known: dict[str, SessionRow | None] = dict.fromkeys(record_ids)
        for start in range(0, len(record_ids), _IN_BATCH):
            query = select(SessionRow).where(
                SessionRow.account_id == self.account_id,
                SessionRow.record_id.in_(record_ids[start : start + _IN_BATCH]),
            )
            known.update((row.record_id, row) for row in orm.scalars(query))
        return known

    def _drop_session_row(self, orm: OrmSession, row: SessionRow) -> None:
        _remember(orm, row.record_id, None)
        orm.execute(
            delete(FiredReminderRow).where(
                FiredReminderRow.account_id == self.account_id,
                FiredReminderRow.session_id == row.id,
            )
        )
        orm.delete(row)
        orm.flush()

    def _adopt(self, orm: OrmSession, stamps: Stamps) -> None:
        # Only what differs from a fresh install: a device that never chose anything must not
        # push its defaults over what the practitioner chose on another device.
        feed = orm.scalar(
            select(FeedSourceRow.account_id).where(FeedSourceRow.account_id == self.account_id)
        )
        preferences, defaults = Preferences.from_json(self._setting(orm)), Preferences()
        wanted = {
            RecordKind.CALENDAR: feed is not None or preferences.sync != defaults.sync,
            RecordKind.PREFERENCES: shared_part(preferences) != shared_part(defaults),
        }
        for kind, needed in wanted.items():
            if needed and live_singleton(orm, self.account_id, kind) is None:
                orm.add(
                    SyncRecordRow(
                        account_id=self.account_id,
                        record_id=new_record_id(),
                        kind=kind.value,
                        version=stamps.next(),
                        dirty=True,
                        deleted=False,
                    )
                )
