"""The account-scoped repository: the only way the app reads or changes stored data.

An ``AccountRepository`` is built for exactly one account. Every statement it runs carries that
account's id in its WHERE clause (or in the row it inserts); nothing looks a row up by primary key
alone, so no method can reach another account's rows. Each call opens and closes its own
SQLAlchemy session, so a worker thread can hold its own repository. Methods return core
dataclasses; ORM rows never leave this module.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeAlias, cast

from sqlalchemy import Engine, Select, delete, func, select, update
from sqlalchemy.dialects.sqlite import Insert, insert
from sqlalchemy.orm import Session as OrmSession

from sessionclock.core.account.access import EntitlementRecord
from sessionclock.core.account.models import ServiceLink
from sessionclock.core.clock import Clock
from sessionclock.core.crypto import Purpose, Sealer
from sessionclock.core.devices.records import RecordKind, new_record_id, shared_part
from sessionclock.core.errors import ManualSessionError, NotFoundError
from sessionclock.core.models import Session, SessionSource, StoredSpan
from sessionclock.core.preferences import PREFERENCES_KEY, Preferences
from sessionclock.core.timestamps import to_utc
from sessionclock.store.engine import checkpoint_wal
from sessionclock.store.failures import storage_errors
from sessionclock.store.scoped import AccountScoped
from sessionclock.store.sync_rows import (
    Stamps,
    delete_sessions,
    fill_session_row,
    session_of,
    touch_singleton,
)
from sessionclock.store.tables import (
    FeedSourceRow,
    FiredReminderRow,
    ServiceLinkRow,
    SessionRow,
    SettingRow,
    SyncRecordRow,
)

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
"""A value that survives a JSON round trip unchanged (tuples come back as lists)."""

_NOT_FOUND = "This session no longer exists."


class AccountRepository(AccountScoped):
    """Sessions, reminders, settings, the calendar feed and the service link of one account.

    Obtain one from ``Database.repository``. Client names are sealed with purpose
    "client-name", the feed address with purpose "feed-url", the account's e-mail address with
    "account-email" and its last subscription check with "entitlement", under the account's own
    key.

    Every change to a session, the calendar connection or the shared preferences also gives the
    synced record a new version and marks it for the next push to the practitioner's other
    devices, in the same transaction; a deleted session leaves a tombstone (``sync_rows``).

    Attributes:
        account_id: the only account this repository reads or changes.
    """

    def __init__(self, *, engine: Engine, account_id: str, sealer: Sealer, clock: Clock) -> None:
        """Create a repository for *account_id*; use ``Database.repository`` instead."""
        super().__init__(engine=engine, account_id=account_id, sealer=sealer, clock=clock)
        self._on_change: Callable[[], None] | None = None

    def watch_changes(self, listener: Callable[[], None] | None) -> None:
        """Call *listener* after each change is written, in the writing thread (None: stop);
        the sync with the practitioner's other devices pushes soon after."""
        self._on_change = listener

    # Sessions ---------------------------------------------------------------------------------

    def sessions_between(self, start: datetime, end: datetime) -> tuple[Session, ...]:
        """Return the sessions overlapping ``[start, end)``, sorted by start, then id."""
        query = (
            select(SessionRow)
            .where(
                SessionRow.account_id == self.account_id,
                SessionRow.start_utc < to_utc(end),
                SessionRow.end_utc > to_utc(start),
            )
            .order_by(SessionRow.start_utc, SessionRow.id)
        )
        with self._read() as orm:
            return tuple(self._to_session(row) for row in orm.scalars(query))

    def all_sessions(self) -> tuple[Session, ...]:
        """Return every stored session, sorted by start, then id (for export)."""
        query = (
            select(SessionRow)
            .where(SessionRow.account_id == self.account_id)
            .order_by(SessionRow.start_utc, SessionRow.id)
        )
        with self._read() as orm:
            return tuple(self._to_session(row) for row in orm.scalars(query))

    def stored_span(self) -> StoredSpan:
        """Return how many sessions are kept and the span they cover, without opening a name."""
        query = select(
            func.count(SessionRow.id), func.min(SessionRow.start_utc), func.max(SessionRow.end_utc)
        ).where(SessionRow.account_id == self.account_id)
        with self._read() as orm:
            count, first, last = orm.execute(query).one()
        if not count:
            return StoredSpan(0, None, None)
        return StoredSpan(count, first.replace(tzinfo=UTC), last.replace(tzinfo=UTC))

    def get(self, session_id: int) -> Session | None:
        """Return the session with *session_id*, or ``None`` if this account has none."""
        with self._read() as orm:
            row = self._session_row(orm, session_id)
            return None if row is None else self._to_session(row)

    def add(self, session: Session) -> Session:
        """Store a new session and return it with its id.

        Raises:
            ValueError: *session* already has an id (use ``update``).
        """
        with self._write() as orm:
            return self._insert(orm, session, self._stamps(orm))

    def update(self, session: Session) -> Session:
        """Replace the stored session that has *session*'s id; return *session*.

        Raises:
            NotFoundError: this account has no session with that id.
        """
        with self._write() as orm:
            self._update(orm, session, self._stamps(orm))
        return session

    def delete(self, session_id: int) -> None:
        """Delete a session and its fired reminders.

        Raises:
            NotFoundError: this account has no session with that id.
        """
        with self._write() as orm:
            row = self._session_row(orm, session_id)
            if row is None:
                raise NotFoundError(_NOT_FOUND)
            self._delete_rows(orm, [row], self._stamps(orm))

    def apply_sync(
        self,
        *,
        add: Sequence[Session],
        update: Sequence[Session],
        remove_ids: Sequence[int],
    ) -> None:
        """Apply a confirmed calendar sync in one transaction: all of it or nothing.

        Raises:
            NotFoundError: an id to update or remove is not one of this account's sessions.
            ManualSessionError: a session to remove was added by hand; syncs never remove those.
        """
        with self._write() as orm:
            stamps = self._stamps(orm)
            if remove_ids:
                rows = orm.scalars(
                    select(SessionRow).where(
                        SessionRow.account_id == self.account_id, SessionRow.id.in_(remove_ids)
                    )
                ).all()
                if len(rows) != len(set(remove_ids)):
                    raise NotFoundError(_NOT_FOUND)
                if any(row.source == SessionSource.MANUAL.value for row in rows):
                    raise ManualSessionError(
                        "A calendar sync cannot remove a session that was added by hand."
                    )
                self._delete_rows(orm, rows, stamps)
            for session in update:
                self._update(orm, session, stamps)
            for session in add:
                self._insert(orm, session, stamps)

    def purge_before(self, cutoff: datetime) -> int:
        """Delete the sessions that ended before *cutoff*, with their reminders; return how many.

        Each leaves a tombstone, so the practitioner's other devices (and the service) let go of
        it too; tombstones older than *cutoff* that were pushed are forgotten.
        """
        with self._write() as orm:
            rows = orm.scalars(
                select(SessionRow).where(
                    SessionRow.account_id == self.account_id,
                    SessionRow.end_utc < to_utc(cutoff),
                )
            ).all()
            self._delete_rows(orm, rows, self._stamps(orm))
            orm.execute(
                delete(SyncRecordRow).where(
                    SyncRecordRow.account_id == self.account_id,
                    SyncRecordRow.deleted.is_(True),
                    SyncRecordRow.dirty.is_(False),
                    SyncRecordRow.deleted_utc < to_utc(cutoff),
                )
            )
        return len(rows)

    # Reminders --------------------------------------------------------------------------------

    def fired_reminders(self, session_ids: Iterable[int]) -> frozenset[tuple[int, int]]:
        """Return the ``(session id, lead minutes)`` pairs already fired for *session_ids*."""
        ids = list(set(session_ids))
        if not ids:
            return frozenset()
        query = select(FiredReminderRow.session_id, FiredReminderRow.lead_minutes).where(
            FiredReminderRow.account_id == self.account_id,
            FiredReminderRow.session_id.in_(ids),
        )
        with self._read() as orm:
            return frozenset((row.session_id, row.lead_minutes) for row in orm.execute(query))

    def mark_reminders_fired(self, keys: Iterable[tuple[int, int]]) -> None:
        """Record ``(session id, lead minutes)`` pairs as fired; marking one twice is harmless.

        Raises:
            NotFoundError: a session id is not one of this account's sessions (nothing is marked).
        """
        pairs = set(keys)
        if not pairs:
            return
        ids = {session_id for session_id, _lead in pairs}
        with self._write() as orm:
            owned = set(
                orm.scalars(
                    select(SessionRow.id).where(
                        SessionRow.account_id == self.account_id, SessionRow.id.in_(ids)
                    )
                )
            )
            if owned != ids:
                raise NotFoundError(_NOT_FOUND)
            values = [
                {"session_id": session_id, "lead_minutes": lead, "account_id": self.account_id}
                for session_id, lead in sorted(pairs)
            ]
            orm.execute(insert(FiredReminderRow).values(values).on_conflict_do_nothing())

    # Settings ---------------------------------------------------------------------------------

    def preferences(self) -> Preferences:
        """Return the practitioner's preferences (defaults where none are stored)."""
        return Preferences.from_json(self.get_setting(PREFERENCES_KEY))

    def save_preferences(self, preferences: Preferences) -> None:
        """Store the practitioner's preferences; what changed in the parts other devices share
        is marked for the next push (the calendar's import options go with the calendar)."""
        with self._write() as orm:
            text = orm.scalar(self._setting_query(PREFERENCES_KEY))
            before = Preferences.from_json(None if text is None else json.loads(text))
            orm.execute(self._setting_statement(PREFERENCES_KEY, preferences.to_json()))
            stamps = self._stamps(orm)
            if shared_part(before) != shared_part(preferences):
                touch_singleton(orm, self.account_id, RecordKind.PREFERENCES, stamps)
            if before.sync != preferences.sync:
                touch_singleton(orm, self.account_id, RecordKind.CALENDAR, stamps)

    def get_setting(self, key: str) -> JSONValue:
        """Return the value stored under *key*, or ``None`` if there is none."""
        with self._read() as orm:
            text = orm.scalar(self._setting_query(key))
        return None if text is None else cast(JSONValue, json.loads(text))

    def set_setting(self, key: str, value: JSONValue) -> None:
        """Store *value* (anything JSON can hold; no NaN or infinity) under *key*."""
        with self._write() as orm:
            orm.execute(self._setting_statement(key, value))

    def _setting_query(self, key: str) -> Select[str]:
        return select(SettingRow.value_json).where(
            SettingRow.account_id == self.account_id, SettingRow.key == key
        )

    def _setting_statement(self, key: str, value: JSONValue) -> Insert:
        text = json.dumps(value, allow_nan=False, sort_keys=True)
        statement = insert(SettingRow).values(account_id=self.account_id, key=key, value_json=text)
        return statement.on_conflict_do_update(
            index_elements=[SettingRow.account_id, SettingRow.key],
            set_={"value_json": statement.excluded.value_json},
        )

    # Calendar feed ----------------------------------------------------------------------------

    def set_feed_url(self, url: str) -> None:
        """Store the calendar feed address, sealed; replaces any previous one for good.

        A replaced address is gone from the files at once, as after ``disconnect_feed``: secure
        delete zeroes its old page and a WAL checkpoint removes the copy in the ``-wal`` file.

        Raises:
            KeyStoreUnavailableError: there is no key store, so nothing was stored.
        """
        sealed = self._sealer.seal(url, purpose=Purpose.FEED_URL)
        statement = insert(FeedSourceRow).values(account_id=self.account_id, url_sealed=sealed)
        statement = statement.on_conflict_do_update(
            index_elements=[FeedSourceRow.account_id],
            set_={"url_sealed": statement.excluded.url_sealed},
        )
        with self._write() as orm:
            replaced = orm.scalar(
                select(FeedSourceRow.account_id).where(FeedSourceRow.account_id == self.account_id)
            )
            orm.execute(statement)
            touch_singleton(orm, self.account_id, RecordKind.CALENDAR, self._stamps(orm))
        if replaced is not None:
            with storage_errors():
                checkpoint_wal(self._engine)

    def feed_url(self) -> str | None:
        """Return the calendar feed address, or ``None`` if none is connected."""
        query = select(FeedSourceRow.url_sealed).where(FeedSourceRow.account_id == self.account_id)
        with self._read() as orm:
            sealed = orm.scalar(query)
        return None if sealed is None else self._sealer.open(sealed, purpose=Purpose.FEED_URL)

    def feed_connected(self) -> bool:
        """Return whether a (sealed) feed address is stored, without opening it."""
        query = select(FeedSourceRow.account_id).where(FeedSourceRow.account_id == self.account_id)
        with self._read() as orm:
            return orm.scalar(query) is not None

    def disconnect_feed(self) -> None:
        """Delete the sealed feed address for good: secure delete, then a WAL checkpoint."""
        with self._write() as orm:
            orm.execute(delete(FeedSourceRow).where(FeedSourceRow.account_id == self.account_id))
            touch_singleton(orm, self.account_id, RecordKind.CALENDAR, self._stamps(orm))
        with storage_errors():
            checkpoint_wal(self._engine)

    # The account at the service ---------------------------------------------------------------

    def link_service(self, link: ServiceLink) -> None:
        """Tie this local account to an account at the service (e-mail address sealed)."""
        sealed = self._sealer.seal(link.email, purpose=Purpose.ACCOUNT_EMAIL)
        statement = insert(ServiceLinkRow).values(
            account_id=self.account_id, service_url=link.service_url, email_sealed=sealed
        )
        statement = statement.on_conflict_do_update(
            index_elements=[ServiceLinkRow.account_id],
            set_={
                "service_url": statement.excluded.service_url,
                "email_sealed": statement.excluded.email_sealed,
            },
        )
        with self._write() as orm:
            orm.execute(statement)

    def service_link(self) -> ServiceLink | None:
        """Return the account at the service this local account belongs to, if any."""
        query = select(ServiceLinkRow.service_url, ServiceLinkRow.email_sealed).where(
            ServiceLinkRow.account_id == self.account_id
        )
        with self._read() as orm:
            row = orm.execute(query).first()
        if row is None:
            return None
        email = self._sealer.open(row.email_sealed, purpose=Purpose.ACCOUNT_EMAIL)
        return ServiceLink(service_url=row.service_url, email=email)

    def save_entitlement(self, record: EntitlementRecord) -> None:
        """Keep *record* (sealed) as the last successful subscription check.

        Raises:
            NotFoundError: this account is not tied to an account at the service.
        """
        sealed = self._sealer.seal(record.to_json(), purpose=Purpose.ENTITLEMENT)
        statement = (
            update(ServiceLinkRow)
            .where(ServiceLinkRow.account_id == self.account_id)
            .values(entitlement_sealed=sealed)
            .returning(ServiceLinkRow.account_id)
        )
        with self._write() as orm:
            if orm.scalar(statement) is None:
                raise NotFoundError("This profile is not signed in to an account.")

    def entitlement(self) -> EntitlementRecord | None:
        """Return the last successful subscription check, or None (never, or unreadable)."""
        query = select(ServiceLinkRow.entitlement_sealed).where(
            ServiceLinkRow.account_id == self.account_id
        )
        with self._read() as orm:
            sealed = orm.scalar(query)
        if sealed is None:
            return None
        return EntitlementRecord.from_json(self._sealer.open(sealed, purpose=Purpose.ENTITLEMENT))

    # Helpers ----------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[OrmSession]:
        with super()._write() as orm:
            yield orm
        listener = self._on_change
        if listener is not None:
            listener()

    def _session_row(self, orm: OrmSession, session_id: int | None) -> SessionRow | None:
        if session_id is None:
            return None
        return orm.scalar(
            select(SessionRow).where(
                SessionRow.account_id == self.account_id, SessionRow.id == session_id
            )
        )

    def _insert(self, orm: OrmSession, session: Session, stamps: Stamps) -> Session:
        if session.id is not None:
            raise ValueError("this session is already stored; use update()")
        row = SessionRow(
            account_id=self.account_id,
            record_id=new_record_id(),
            version=stamps.next(),
            dirty=True,
        )
        fill_session_row(row, session, self._sealer)
        orm.add(row)
        orm.flush()
        return session.with_changes(id=row.id)

    def _update(self, orm: OrmSession, session: Session, stamps: Stamps) -> None:
        row = self._session_row(orm, session.id)
        if row is None:
            raise NotFoundError(_NOT_FOUND)
        moved = (row.start_utc, row.end_utc) != (to_utc(session.start), to_utc(session.end))
        if moved:
            # A booking moved to another time is a new appointment for the reminders: they may
            # fire again. "+5 min" and Start/End now keep the booking, so they keep them.
            forget_fired_reminders(orm, self.account_id, row.id)
        fill_session_row(row, session, self._sealer)
        row.version = stamps.next()
        row.dirty = True
        orm.flush()

    def _delete_rows(self, orm: OrmSession, rows: Sequence[SessionRow], stamps: Stamps) -> None:
        delete_sessions(
            orm,
            account_id=self.account_id,
            rows=rows,
            stamps=stamps,
            sealer=self._sealer,
            now=self._clock.now(),
        )

    def _to_session(self, row: SessionRow) -> Session:
        return session_of(row, self._sealer)


def forget_fired_reminders(orm: OrmSession, account_id: str, session_id: int) -> None:
    """Let the reminders of a moved booking fire again."""
    orm.execute(
        delete(FiredReminderRow).where(
            FiredReminderRow.account_id == account_id,
            FiredReminderRow.session_id == session_id,
        )
    )
