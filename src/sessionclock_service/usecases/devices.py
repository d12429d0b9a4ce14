"""Devices: signed-in tokens with a registered public key, and what every sync rule shares.

A device is an API token plus the X25519 public key its app registered; it goes when its token
goes (signed out, revoked, a password change or reset, unused too long), and removing it revokes
the token. Everything about keys, pairings and records of an account is written in a transaction
that first locks the account's `SyncState` row (`account_write`): on PostgreSQL two workers
writing for one account take turns, so an epoch check, a rotation and the next sequence number
are never decided on a stale read. On SQLite the write transaction's lock already does that.

A device "holds the current key" when the service keeps an envelope of the current epoch for it.
When a device holding one goes, its envelope stays without a device: that is a rotation due,
until the next rotation drops the old epoch's envelopes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sessionclock_service.clock import as_utc
from sessionclock_service.db.models import Account, ApiToken, Device, KeyEnvelope, SyncState
from sessionclock_service.errors import ConflictError, NotFoundError
from sessionclock_service.security import is_row_id, new_id
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.tokens import Caller, TokenRequiredError

SYNC_TOUCH_INTERVAL = timedelta(minutes=1)
"""A device's last sync time is written at most this often (pulls come every few seconds)."""


class DeviceRequiredError(ConflictError):
    """Raised when the caller's token has no registered device."""

    code = "device_required"
    message = "Register this device first (POST /v1/devices)."


class DeviceExistsError(ConflictError):
    """Raised when a token that registered one public key registers another."""

    code = "device_exists"
    message = "This sign-in already registered another public key: sign in again for a new one."


class PublicKeyTakenError(ConflictError):
    """Raised when another device of the account registered the same public key."""

    code = "public_key_taken"
    message = "Another device of this account uses this public key."


class PublicKeyMismatchError(ConflictError):
    """Raised when a public key given is not the caller's registered one."""

    code = "public_key_mismatch"
    message = "The public key is not the one this device registered."


class KeyRequiredError(ConflictError):
    """Raised when the caller's device does not hold the current epoch's key."""

    code = "key_required"
    message = "This device does not hold the account's current key."


class NoKeyError(ConflictError):
    """Raised when the account has no data key yet."""

    code = "no_key"
    message = "The account has no key yet."


class EpochChangedError(ConflictError):
    """Raised when an epoch given is not the one the request needs."""

    code = "epoch_changed"
    message = "The account's key changed: fetch GET /v1/keys and try again."


@dataclass(frozen=True, kw_only=True)
class DeviceInfo:
    """One device as the account's devices see it.

    Attributes:
        id: The device's id.
        name: The device name given at sign-in.
        created_at: When it registered.
        last_sync_at: Its last push or pull (to within a minute), if any.
        public_key: Its X25519 public key.
        has_current_key: Whether an envelope of the current epoch is kept for it.
        current: Whether the request came from it.
    """

    id: str
    name: str
    created_at: datetime
    last_sync_at: datetime | None
    public_key: bytes
    has_current_key: bool
    current: bool


@contextmanager
def account_write(services: Services, caller: Caller) -> Iterator[tuple[Session, SyncState]]:
    """Open a write transaction holding the lock on the caller's account's sync state.

    The state row is made the first time it is needed. A write that fails a foreign key here
    because the account (or the caller's token) was deleted while the request ran answers 401;
    any other integrity failure is a fault and goes on as one.

    Raises:
        TokenRequiredError: The account or the token is gone.
    """
    try:
        with services.db.write() as db:
            yield db, lock_state(db, caller.account_id)
    except IntegrityError:
        with services.db.read() as db:
            alive = db.scalar(
                select(ApiToken.id)
                .join(Account, Account.id == ApiToken.account_id)
                .where(ApiToken.id == caller.token_id, Account.id == caller.account_id)
            )
        if alive is None:
            raise TokenRequiredError from None
        raise


def lock_state(db: Session, account_id: str) -> SyncState:
    """Return *account_id*'s sync state, made if missing, locked until the transaction ends."""
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(SyncState)
        .values(account_id=account_id, epoch=0, last_seq=0)
        .on_conflict_do_nothing(index_elements=["account_id"])
    )
    return db.scalars(
        select(SyncState).where(SyncState.account_id == account_id).with_for_update()
    ).one()


def current_epoch(db: Session, account_id: str) -> int:
    """Return the account's current epoch (0 when it has no key), in a read."""
    return db.scalar(select(SyncState.epoch).where(SyncState.account_id == account_id)) or 0


def own_device(db: Session, caller: Caller) -> Device | None:
    """Return the device the caller's token registered, if any."""
    return db.scalar(
        select(Device).where(
            Device.token_id == caller.token_id, Device.account_id == caller.account_id
        )
    )


def require_device(db: Session, caller: Caller) -> Device:
    """Return the caller's device.

    Raises:
        DeviceRequiredError: The caller's token has no registered device.
    """
    device = own_device(db, caller)
    if device is None:
        raise DeviceRequiredError
    return device


def key_holders(db: Session, *, account_id: str, epoch: int) -> set[str]:
    """Return the devices of the account that hold *epoch*'s key."""
    found = db.scalars(
        select(KeyEnvelope.device_id).where(
            KeyEnvelope.account_id == account_id,
            KeyEnvelope.epoch == epoch,
            KeyEnvelope.recovery.is_(False),
        )
    ).all()
    return {device_id for device_id in found if device_id is not None}


def require_key(db: Session, device: Device, state: SyncState) -> None:
    """Refuse unless *device* holds the current key.

    Raises:
        NoKeyError: The account has no key yet.
        KeyRequiredError: The device holds no envelope of the current epoch.
    """
    if state.epoch == 0:
        raise NoKeyError
    if device.id not in key_holders(db, account_id=state.account_id, epoch=state.epoch):
        raise KeyRequiredError


def keep_envelope(
    db: Session,
    *,
    state: SyncState,
    device_id: str | None,
    envelope: bytes,
    now: datetime,
) -> None:
    """Keep *envelope* as the current epoch's envelope of *device_id* (``None``: the recovery
    recipient), replacing the one it had."""
    recovery = device_id is None
    replaced = delete(KeyEnvelope).where(
        KeyEnvelope.account_id == state.account_id,
        KeyEnvelope.epoch == state.epoch,
        KeyEnvelope.recovery.is_(recovery),
    )
    if not recovery:
        replaced = replaced.where(KeyEnvelope.device_id == device_id)
    db.execute(replaced)
    db.add(
        KeyEnvelope(
            account_id=state.account_id,
            epoch=state.epoch,
            recovery=recovery,
            device_id=device_id,
            envelope=envelope,
            created_at=now,
        )
    )


def touch_sync(db: Session, device: Device, *, now: datetime) -> None:
    """Note that *device* synced now, unless it was noted less than a minute ago."""
    if device.last_sync_at is None or now - as_utc(device.last_sync_at) >= SYNC_TOUCH_INTERVAL:
        device.last_sync_at = now


def devices_of(db: Session, caller: Caller) -> list[DeviceInfo]:
    """Return the caller's account's devices, oldest first, in the caller's transaction."""
    holders = key_holders(
        db, account_id=caller.account_id, epoch=current_epoch(db, caller.account_id)
    )
    rows = db.execute(
        select(Device, ApiToken.device_name)
        .join(
            ApiToken,
            (ApiToken.id == Device.token_id) & (ApiToken.account_id == caller.account_id),
        )
        .where(Device.account_id == caller.account_id)
        .order_by(Device.created_at, Device.id)
    ).all()
    return [
        DeviceInfo(
            id=device.id,
            name=name,
            created_at=as_utc(device.created_at),
            last_sync_at=as_utc(device.last_sync_at) if device.last_sync_at else None,
            public_key=device.public_key,
            has_current_key=device.id in holders,
            current=device.token_id == caller.token_id,
        )
        for device, name in rows
    ]


def register_device(services: Services, *, caller: Caller, public_key: bytes) -> DeviceInfo:
    """Register the caller's token as a device with *public_key* (again: the same device).

    Raises:
        DeviceExistsError: The token registered another key.
        PublicKeyTakenError: Another device of the account has this key.
    """
    with account_write(services, caller) as (db, _state):
        device = own_device(db, caller)
        if device is not None and device.public_key != public_key:
            raise DeviceExistsError
        if device is None:
            taken = db.scalar(
                select(Device.id).where(
                    Device.account_id == caller.account_id, Device.public_key == public_key
                )
            )
            if taken is not None:
                raise PublicKeyTakenError
            device = Device(
                id=new_id(),
                account_id=caller.account_id,
                token_id=caller.token_id,
                public_key=public_key,
                created_at=services.clock.now(),
                last_sync_at=None,
            )
            db.add(device)
            db.flush()
        return next(d for d in devices_of(db, caller) if d.id == device.id)


def list_devices(services: Services, *, caller: Caller) -> list[DeviceInfo]:
    """List the caller's account's devices."""
    with services.db.read() as db:
        return devices_of(db, caller)


def remove_device(services: Services, *, caller: Caller, device_id: str) -> None:
    """Remove a device of the caller's account: its token is revoked, and with the token the
    device, its pairing and (a rotation due, if it held the key) its envelopes' device.

    Raises:
        NotFoundError: No such device of the caller's account.
    """
    if not is_row_id(device_id):
        raise NotFoundError
    with account_write(services, caller) as (db, _state):
        token_id = db.scalar(
            select(Device.token_id).where(
                Device.id == device_id, Device.account_id == caller.account_id
            )
        )
        if token_id is None:
            raise NotFoundError
        db.execute(
            delete(ApiToken).where(
                ApiToken.id == token_id, ApiToken.account_id == caller.account_id
            )
        )


def rotation_due(db: Session, *, account_id: str, epoch: int) -> bool:
    """Return whether a device that held *epoch*'s key has gone since it got it."""
    orphan = db.scalar(
        select(KeyEnvelope.id)
        .where(
            KeyEnvelope.account_id == account_id,
            KeyEnvelope.epoch == epoch,
            KeyEnvelope.recovery.is_(False),
            KeyEnvelope.device_id.is_(None),
        )
        .limit(1)
    )
    return orphan is not None
