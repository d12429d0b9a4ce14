"""Synced records: push and pull of sealed records the service stores and never opens.

A record is (record id, version, epoch, ciphertext, expiry), sealed on a device under the
account's data key. The service reads only that metadata:

- A pushed record is accepted when the service has no live version of it, when its version is
  greater (versions compare as byte strings), or when the version is equal and the epoch greater
  (re-sealed after a rotation); otherwise it is stale and the stored one is reported.
- Every accepted write takes the account's next sequence number. The sequence is counted on the
  account's `SyncState` row, which the push holds locked until it commits (`account_write`), so
  on any number of workers two writes never share a number, and a write never becomes visible
  after one with a higher number: a device pulling "after N" misses nothing.
- Tombstones carry an expiry; from then on the record is never returned and housekeeping
  deletes it.
- Each record and each account is capped in size and count. A push that would not grow the
  account's storage is always accepted, so a full account can still delete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from sessionclock_service.clock import as_utc
from sessionclock_service.db.models import SyncRecord, SyncState
from sessionclock_service.errors import ConflictError, InvalidInputError, TooLargeError
from sessionclock_service.usecases.devices import (
    SYNC_TOUCH_INTERVAL,
    EpochChangedError,
    account_write,
    own_device,
    require_device,
    require_key,
    touch_sync,
)
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.tokens import Caller

MAX_EXPIRY = timedelta(days=3660)
"""How far ahead a record's expiry may be."""


class RecordTooLargeError(TooLargeError):
    """Raised when a record's ciphertext is larger than the record cap."""

    code = "record_too_large"


class PushTooLargeError(TooLargeError):
    """Raised when a push carries more records than allowed."""

    code = "push_too_large"


class StorageFullError(ConflictError):
    """Raised when a push would take the account beyond its records or bytes."""

    code = "storage_full"


@dataclass(frozen=True, kw_only=True)
class PushedRecord:
    """One record as a device pushed it.

    Attributes:
        record_id: The record's random id.
        version: Its version text.
        epoch: The epoch of the key it is sealed with.
        ciphertext: The sealed record.
        expires_at: When the service may delete it (tombstones), if ever.
    """

    record_id: str
    version: str
    epoch: int
    ciphertext: bytes
    expires_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class PushResult:
    """What became of one pushed record.

    Attributes:
        record_id: The record.
        accepted: Whether the pushed version is now the stored one (else it was stale).
        version: The stored version.
        epoch: The stored epoch.
        seq: The stored record's sequence number.
    """

    record_id: str
    accepted: bool
    version: str
    epoch: int
    seq: int


@dataclass(frozen=True, kw_only=True)
class StoredRecord:
    """One stored record, as pulled.

    Attributes:
        record_id: The record.
        version: Its version.
        epoch: The epoch of its key.
        ciphertext: The sealed record.
        seq: Its sequence number.
        expires_at: When it goes, if ever.
        updated_at: When this version was stored.
    """

    record_id: str
    version: str
    epoch: int
    ciphertext: bytes
    seq: int
    expires_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, kw_only=True)
class PulledRecords:
    """A page of records after a cursor.

    Attributes:
        records: The records, in sequence order.
        cursor: The sequence number to pull after next time.
        more: Whether more records wait after the cursor.
        epoch: The account's current epoch.
    """

    records: list[StoredRecord]
    cursor: int
    more: bool
    epoch: int


@dataclass(frozen=True, kw_only=True)
class Usage:
    """What an account's synced records take (what its caps count, and the admin area shows).

    Attributes:
        records: Live records.
        bytes: Their ciphertexts' total size.
    """

    records: int
    bytes: int


def live(now: datetime) -> ColumnElement[bool]:
    """Return the condition of a record that has not expired at *now*."""
    return or_(SyncRecord.expires_at.is_(None), SyncRecord.expires_at > now)


def usage(db: Session, account_id: str, *, now: datetime) -> Usage:
    """Return the account's live records and their bytes."""
    count, size = db.execute(
        select(func.count(), func.coalesce(func.sum(SyncRecord.size), 0)).where(
            SyncRecord.account_id == account_id, live(now)
        )
    ).one()
    return Usage(records=int(count), bytes=int(size))


def _check_sizes(services: Services, records: Sequence[PushedRecord], *, now: datetime) -> None:
    settings = services.settings
    if len(records) > settings.sync_max_push_records:
        raise PushTooLargeError(
            f"A push may carry at most {settings.sync_max_push_records} records."
        )
    for record in records:
        if len(record.ciphertext) > settings.sync_max_record_bytes:
            raise RecordTooLargeError(
                f"Record {record.record_id} is larger than {settings.sync_max_record_bytes} bytes."
            )
        if record.expires_at is not None and record.expires_at > now + MAX_EXPIRY:
            raise InvalidInputError(
                f"Record {record.record_id} expires more than {MAX_EXPIRY.days} days ahead."
            )


def _check_room(services: Services, before: Usage, after: Usage) -> None:
    settings = services.settings
    grows = after.records > before.records or after.bytes > before.bytes
    if grows and after.records > settings.sync_max_records:
        raise StorageFullError(
            f"The account may keep at most {settings.sync_max_records} synced records."
        )
    if grows and after.bytes > settings.sync_max_account_bytes:
        raise StorageFullError(
            f"The account may keep at most {settings.sync_max_account_bytes // (1024 * 1024)} "
            "MiB of synced records."
        )


def _accepts(record: PushedRecord, stored: SyncRecord | None, now: datetime) -> bool:
    """Return whether *record* replaces *stored* (none, expired, or older)."""
    if stored is None or not _is_live(stored, now):
        return True
    # Versions are ASCII text: comparing them as strings compares their bytes.
    return record.version > stored.version or (
        record.version == stored.version and record.epoch > stored.epoch
    )


def push(
    services: Services, *, caller: Caller, records: Sequence[PushedRecord]
) -> list[PushResult]:
    """Store the pushed records that are newer than the stored ones; return one result each.

    Raises:
        PushTooLargeError: Too many records.
        RecordTooLargeError: A ciphertext is over the record cap.
        InvalidInputError: An expiry is too far ahead.
        DeviceRequiredError: The caller has no registered device.
        NoKeyError: The account has no key yet.
        KeyRequiredError: The caller does not hold the current key.
        EpochChangedError: A record is not sealed with the current epoch's key.
        RateLimitedError: The token pushed too often this minute.
        StorageFullError: The push would take the account beyond its caps.
    """
    now = services.clock.now()
    _check_sizes(services, records, now=now)
    with account_write(services, caller) as (db, state):
        device = require_device(db, caller)
        require_key(db, device, state)
        if any(record.epoch != state.epoch for record in records):
            raise EpochChangedError
        services.limiter.take(
            db,
            kind="push",
            subject=caller.token_id,
            free=services.settings.sync_pushes_per_minute,
            now=now,
        )
        stored = {
            row.record_id: row
            for row in db.scalars(
                select(SyncRecord).where(
                    SyncRecord.account_id == caller.account_id,
                    SyncRecord.record_id.in_([r.record_id for r in records]),
                )
            )
        }
        accepted = [r for r in records if _accepts(r, stored.get(r.record_id), now)]
        before = usage(db, caller.account_id, now=now)
        after = before
        for record in accepted:
            old = stored.get(record.record_id)
            kept = old is not None and _is_live(old, now)
            after = Usage(
                records=after.records + (0 if kept else 1),
                bytes=after.bytes + len(record.ciphertext) - (old.size if kept and old else 0),
            )
        _check_room(services, before, after)
        for record in accepted:
            stored[record.record_id] = _write(db, state, record, stored.get(record.record_id), now)
        touch_sync(db, device, now=now)
        taken = {r.record_id for r in accepted}
        return [
            PushResult(
                record_id=r.record_id,
                accepted=r.record_id in taken,
                version=stored[r.record_id].version,
                epoch=stored[r.record_id].epoch,
                seq=stored[r.record_id].seq,
            )
            for r in records
        ]


def _is_live(row: SyncRecord, now: datetime) -> bool:
    return row.expires_at is None or as_utc(row.expires_at) > now


def _write(
    db: Session, state: SyncState, record: PushedRecord, row: SyncRecord | None, now: datetime
) -> SyncRecord:
    state.last_seq += 1
    if row is None:
        row = SyncRecord(account_id=state.account_id, record_id=record.record_id)
        db.add(row)
    row.version = record.version
    row.epoch = record.epoch
    row.ciphertext = record.ciphertext
    row.size = len(record.ciphertext)
    row.seq = state.last_seq
    row.expires_at = record.expires_at
    row.updated_at = now
    return row


def pull(services: Services, *, caller: Caller, since: int, limit: int) -> PulledRecords:
    """Return up to *limit* live records written after sequence number *since*, in order.

    A cursor beyond the account's last sequence number (a database restored from a backup)
    starts over from the beginning, so no write made since is missed.

    Raises:
        DeviceRequiredError: The caller has no registered device.
    """
    now = services.clock.now()
    with services.db.read() as db:
        device = require_device(db, caller)
        state = db.get(SyncState, caller.account_id)
        epoch, last_seq = (state.epoch, state.last_seq) if state is not None else (0, 0)
        if since > last_seq:
            since = 0
        rows = db.scalars(
            select(SyncRecord)
            .where(SyncRecord.account_id == caller.account_id, SyncRecord.seq > since, live(now))
            .order_by(SyncRecord.seq)
            .limit(limit + 1)
        ).all()
        records = [
            StoredRecord(
                record_id=row.record_id,
                version=row.version,
                epoch=row.epoch,
                ciphertext=row.ciphertext,
                seq=row.seq,
                expires_at=as_utc(row.expires_at) if row.expires_at is not None else None,
                updated_at=as_utc(row.updated_at),
            )
            for row in rows[:limit]
        ]
        synced = device.last_sync_at
    if synced is None or now - as_utc(synced) >= SYNC_TOUCH_INTERVAL:
        with services.db.write() as db:
            again = own_device(db, caller)
            if again is not None:
                touch_sync(db, again, now=now)
    return PulledRecords(
        records=records,
        cursor=records[-1].seq if records else since,
        more=len(rows) > limit,
        epoch=epoch,
    )


def purge_expired(db: Session, *, now: datetime) -> None:
    """Delete the records whose expiry has passed (housekeeping)."""
    db.execute(delete(SyncRecord).where(SyncRecord.expires_at <= now))
