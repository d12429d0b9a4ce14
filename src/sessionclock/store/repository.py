"""The account-scoped repository: the only way the app reads or changes stored data.

An ``AccountRepository`` is built for exactly one account. Every statement it runs carries that
account's id in its WHERE clause (or in the row it inserts); nothing looks a row up by primary key
alone, so no method can reach another account's rows. Each call opens and closes its own
SQLAlchemy session, so a worker thread can hold its own repository. Methods return core
dataclasses; ORM rows never leave this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeAlias, cast

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from sessionclock.core.account.access import EntitlementRecord
from sessionclock.core.account.models import ServiceLink
from sessionclock.core.crypto import Purpose, Sealer
from sessionclock.core.errors import ManualSessionError, NotFoundError
from sessionclock.core.models import Session, SessionSource, StoredSpan
from sessionclock.core.timestamps import from_stored, to_utc, zone_label
from sessionclock.store.engine import checkpoint_wal, writer
from sessionclock.store.failures import storage_errors
from sessionclock.store.tables import (
    FeedSourceRow,
    FiredReminderRow,
    ServiceLinkRow,
    SessionRow,
    SettingRow,
)

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
"""A value that survives a JSON round trip unchanged (tuples come back as lists)."""

_NOT_FOUND = "This session no longer exists."


class AccountRepository:
    """Sessions, reminders, settings, the calendar feed and the service link of one account.

    Obtain one from ``Database.repository``. Client names are sealed with purpose
    "client-name", the feed address with purpose "feed-url", the account's e-mail address with
    "account-email" and its last subscription check with "entitlement", under the account's own
    key.

    Attributes:
        account_id: the only account this repository reads or changes.
    """

    def __init__(self, *, engine: Engine, account_id: str, sealer: Sealer) -> None:
        """Create a repository for *account_id*; use ``Database.repository`` instead."""
        if sealer.account_id != account_id:
            raise ValueError("the sealer must belong to the same account")
        self.account_id = account_id
        self._engine = engine
        self._sealer = sealer
        self._readers = sessionmaker(engine, expire_on_commit=False)
        self._writers = sessionmaker(writer(engine), expire_on_commit=False)

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
            return self._insert(orm, session)

    def update(self, session: Session) -> Session:
        """Replace the stored session that has *session*'s id; return *session*.

        Raises:
            NotFoundError: this account has no session with that id.
        """
        with self._write() as orm:
            self._update(orm, session)
        return session

    def delete(self, session_id: int) -> None:
        """Delete a session and its fired reminders.

        Raises:
            NotFoundError: this account has no session with that id.
        """
        with self._write() as orm:
            if self._session_row(orm, session_id) is None:
                raise NotFoundError(_NOT_FOUND)
            self._delete_sessions(orm, [session_id])

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
                self._delete_sessions(orm, remove_ids)
            for session in update:
                self._update(orm, session)
            for session in add:
                self._insert(orm, session)

    def purge_before(self, cutoff: datetime) -> int:
        """Delete the sessions that ended before *cutoff*, with their reminders; return how many."""
        with self._write() as orm:
            ids = list(
                orm.scalars(
                    select(SessionRow.id).where(
                        SessionRow.account_id == self.account_id,
                        SessionRow.end_utc < to_utc(cutoff),
                    )
                )
            )
            self._delete_sessions(orm, ids)
        return len(ids)

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

    def get_setting(self, key: str) -> JSONValue:
        """Return the value stored under *key*, or ``None`` if there is none."""
        query = select(SettingRow.value_json).where(
            SettingRow.account_id == self.account_id, SettingRow.key == key
        )
        with self._read() as orm:
            text = orm.scalar(query)
        return None if text is None else cast(JSONValue, json.loads(text))

    def set_setting(self, key: str, value: JSONValue) -> None:
        """Store *value* (anything JSON can hold; no NaN or infinity) under *key*."""
        text = json.dumps(value, allow_nan=False, sort_keys=True)
        statement = insert(SettingRow).values(account_id=self.account_id, key=key, value_json=text)
        statement = statement.on_conflict_do_update(
            index_elements=[SettingRow.account_id, SettingRow.key],
            set_={"value_json": statement.excluded.value_json},
        )
        with self._write() as orm:
            orm.execute(statement)

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
    def _read(self) -> Iterator[OrmSession]:
        with storage_errors(), self._readers() as orm:
            yield orm

    @contextmanager
    def _write(self) -> Iterator[OrmSession]:
        with storage_errors(), self._writers.begin() as orm:
            yield orm

    def _session_row(self, orm: OrmSession, session_id: int | None) -> SessionRow | None:
        if session_id is None:
            return None
        return orm.scalar(
            select(SessionRow).where(
                SessionRow.account_id == self.account_id, SessionRow.id == session_id
            )
        )

    def _insert(self, orm: OrmSession, session: Session) -> Session:
        if session.id is not None:
            raise ValueError("this session is already stored; use update()")
        row = SessionRow(account_id=self.account_id)
        self._fill(row, session)
        orm.add(row)
        orm.flush()
        return session.with_changes(id=row.id)

    def _update(self, orm: OrmSession, session: Session) -> None:
        row = self._session_row(orm, session.id)
        if row is None:
            raise NotFoundError(_NOT_FOUND)
        moved = (row.start_utc, row.end_utc) != (to_utc(session.start), to_utc(session.end))
        if moved:
            # A booking moved to another time is a new appointment for the reminders: they may
            # fire again. "+5 min" and Start/End now keep the booking, so they keep them.
            orm.execute(
                delete(FiredReminderRow).where(
                    FiredReminderRow.account_id == self.account_id,
                    FiredReminderRow.session_id == row.id,
                )
            )
        self._fill(row, session)
        orm.flush()

    def _delete_sessions(self, orm: OrmSession, session_ids: Iterable[int]) -> None:
        ids = list(session_ids)
        if not ids:
            return
        orm.execute(
            delete(FiredReminderRow).where(
                FiredReminderRow.account_id == self.account_id,
                FiredReminderRow.session_id.in_(ids),
            )
        )
        orm.execute(
            delete(SessionRow).where(
                SessionRow.account_id == self.account_id, SessionRow.id.in_(ids)
            )
        )

    def _fill(self, row: SessionRow, session: Session) -> None:
        row.client_name_sealed = self._sealer.seal(session.client_name, purpose=Purpose.CLIENT_NAME)
        row.start_utc, row.start_zone = to_utc(session.start), zone_label(session.start)
        row.end_utc, row.end_zone = to_utc(session.end), zone_label(session.end)
        row.source = session.source.value
        row.actual_start_utc, row.actual_start_zone = _split_optional(session.actual_start)
        row.actual_end_utc, row.actual_end_zone = _split_optional(session.actual_end)
        row.extra_minutes = session.extra_minutes

    def _to_session(self, row: SessionRow) -> Session:
        return Session(
            client_name=self._sealer.open(row.client_name_sealed, purpose=Purpose.CLIENT_NAME),
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
