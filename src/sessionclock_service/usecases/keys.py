"""The account's data key epochs and their envelopes: the first key, start over, rotation.

The service never has a data key. It keeps, for the current epoch only, the key sealed to each
device that holds it and to the recovery recipient (the public key derived from the printable
recovery code, with the code's scrypt salt), and hands each device only its own envelope.

- The first device makes the first key (epoch 1) and the recovery recipient.
- A rotation (after a device was removed) is accepted only as the current epoch + 1, from a
  device that holds the current key, with envelopes for exactly the devices that hold it (each
  once) and the recovery recipient; the old epoch's envelopes go. Pushes of the old epoch are
  refused from then on, so every device catches up before it writes.
- Starting over (no device and no recovery code at hand) is a deliberate call of its own: the
  epoch goes on counting and every record, envelope and pairing of the account is deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sessionclock_service.db.models import KeyEnvelope, Pairing, SyncRecord, SyncState
from sessionclock_service.errors import ConflictError
from sessionclock_service.usecases.devices import (
    EpochChangedError,
    NoKeyError,
    account_write,
    keep_envelope,
    key_holders,
    own_device,
    require_device,
    require_key,
    rotation_due,
)
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.tokens import Caller


class KeyExistsError(ConflictError):
    """Raised when a first key is posted for an account that has one."""

    code = "key_exists"
    message = "The account has a key already: pair this device or use the recovery code."


class EnvelopesMismatchError(ConflictError):
    """Raised when a rotation's envelopes are not for exactly the devices holding the key."""

    code = "envelopes_mismatch"
    message = "A rotation needs one envelope for each device that holds the current key."


@dataclass(frozen=True, kw_only=True)
class Recovery:
    """The recovery recipient: the recovery code's salt and public key, and an envelope.

    Attributes:
        salt: The scrypt salt of the recovery code.
        public_key: The X25519 public key derived from the code.
        envelope: The current epoch's key sealed to it.
    """

    salt: bytes
    public_key: bytes
    envelope: bytes


@dataclass(frozen=True, kw_only=True)
class KeysView:
    """What `GET /v1/keys` answers.

    Attributes:
        epoch: The current epoch (0 while the account has no key).
        device_id: The caller's device, if registered.
        envelope: The caller's envelope of the current epoch, if any.
        recovery: The recovery recipient, once the account has a key.
        rotation_due: Whether a device that held the current key has gone.
    """

    epoch: int
    device_id: str | None
    envelope: bytes | None
    recovery: Recovery | None
    rotation_due: bool


def _envelope(db: Session, *, account_id: str, epoch: int, device_id: str | None) -> bytes | None:
    query = select(KeyEnvelope.envelope).where(
        KeyEnvelope.account_id == account_id, KeyEnvelope.epoch == epoch
    )
    if device_id is None:
        query = query.where(KeyEnvelope.recovery.is_(True))
    else:
        query = query.where(KeyEnvelope.device_id == device_id)
    return db.scalars(query.limit(1)).first()


def _view(db: Session, caller: Caller) -> KeysView:
    state = db.get(SyncState, caller.account_id)
    epoch = state.epoch if state is not None else 0
    device = own_device(db, caller)
    recovery = None
    sealed = _envelope(db, account_id=caller.account_id, epoch=epoch, device_id=None)
    if state is not None and state.recovery_salt and state.recovery_public_key and sealed:
        recovery = Recovery(
            salt=state.recovery_salt, public_key=state.recovery_public_key, envelope=sealed
        )
    return KeysView(
        epoch=epoch,
        device_id=device.id if device is not None else None,
        envelope=(
            _envelope(db, account_id=caller.account_id, epoch=epoch, device_id=device.id)
            if device is not None and epoch
            else None
        ),
        recovery=recovery,
        rotation_due=rotation_due(db, account_id=caller.account_id, epoch=epoch),
    )


def view_keys(services: Services, *, caller: Caller) -> KeysView:
    """Return the account's epoch, the caller's envelope and the recovery recipient."""
    with services.db.read() as db:
        return _view(db, caller)


def _install(
    services: Services,
    db: Session,
    state: SyncState,
    *,
    epoch: int,
    recovery: Recovery,
    envelopes: Sequence[tuple[str, bytes]],
) -> None:
    """Make *epoch* current with *envelopes* (device id, envelope) and *recovery*; the older
    epochs' envelopes go."""
    now = services.clock.now()
    services.limiter.take(
        db,
        kind="keys",
        subject=state.account_id,
        free=services.settings.key_changes_per_hour,
        now=now,
    )
    db.execute(delete(KeyEnvelope).where(KeyEnvelope.account_id == state.account_id))
    state.epoch = epoch
    state.recovery_salt = recovery.salt
    state.recovery_public_key = recovery.public_key
    keep_envelope(db, state=state, device_id=None, envelope=recovery.envelope, now=now)
    for device_id, envelope in envelopes:
        keep_envelope(db, state=state, device_id=device_id, envelope=envelope, now=now)
    db.flush()


def first_key(
    services: Services, *, caller: Caller, epoch: int, envelope: bytes, recovery: Recovery
) -> KeysView:
    """Set up the account's first key (epoch 1) from the caller's device.

    Raises:
        DeviceRequiredError: The caller has no registered device.
        KeyExistsError: The account has a key.
        EpochChangedError: *epoch* is not 1.
        RateLimitedError: Too many key changes this hour.
    """
    with account_write(services, caller) as (db, state):
        device = require_device(db, caller)
        if state.epoch != 0:
            raise KeyExistsError
        if epoch != 1:
            raise EpochChangedError("The account's first key is epoch 1.")
        _install(services, db, state, epoch=1, recovery=recovery, envelopes=[(device.id, envelope)])
        return _view(db, caller)


def restart(
    services: Services, *, caller: Caller, epoch: int, envelope: bytes, recovery: Recovery
) -> KeysView:
    """Start over: a new key history from the caller's device; every record, envelope and
    pairing of the account is deleted.

    Raises:
        DeviceRequiredError: The caller has no registered device.
        NoKeyError: The account has no key yet (make the first one instead).
        EpochChangedError: *epoch* is not the current + 1.
        RateLimitedError: Too many key changes this hour.
    """
    with account_write(services, caller) as (db, state):
        device = require_device(db, caller)
        if state.epoch == 0:
            raise NoKeyError
        if epoch != state.epoch + 1:
            raise EpochChangedError
        db.execute(delete(SyncRecord).where(SyncRecord.account_id == caller.account_id))
        db.execute(delete(Pairing).where(Pairing.account_id == caller.account_id))
        _install(
            services, db, state, epoch=epoch, recovery=recovery, envelopes=[(device.id, envelope)]
        )
        return _view(db, caller)


def rotate(
    services: Services,
    *,
    caller: Caller,
    epoch: int,
    envelopes: Sequence[tuple[str, bytes]],
    recovery: Recovery,
) -> KeysView:
    """Make the next epoch current, sealed to exactly the devices holding the current key.

    Raises:
        DeviceRequiredError: The caller has no registered device.
        NoKeyError: The account has no key yet.
        KeyRequiredError: The caller does not hold the current key.
        EpochChangedError: *epoch* is not the current + 1.
        EnvelopesMismatchError: The envelopes' devices are not exactly the holders, each once.
        RateLimitedError: Too many key changes this hour.
    """
    with account_write(services, caller) as (db, state):
        device = require_device(db, caller)
        require_key(db, device, state)
        if epoch != state.epoch + 1:
            raise EpochChangedError
        holders = key_holders(db, account_id=caller.account_id, epoch=state.epoch)
        given = [device_id for device_id, _ in envelopes]
        if len(set(given)) != len(given):
            raise EnvelopesMismatchError("Each device may have one envelope only.")
        missing, extra = sorted(holders - set(given)), sorted(set(given) - holders)
        if missing or extra:
            parts = [f"missing for {', '.join(missing)}" if missing else ""]
            parts.append(f"not holding the key: {', '.join(extra)}" if extra else "")
            raise EnvelopesMismatchError(
                f"{EnvelopesMismatchError.message} ({'; '.join(p for p in parts if p)})"
            )
        _install(services, db, state, epoch=epoch, recovery=recovery, envelopes=envelopes)
        return _view(db, caller)


def keep_own_envelope(
    services: Services, *, caller: Caller, epoch: int, envelope: bytes
) -> KeysView:
    """Keep the caller's own envelope of the current epoch (after recovering with the code).

    Raises:
        DeviceRequiredError: The caller has no registered device.
        NoKeyError: The account has no key yet.
        EpochChangedError: *epoch* is not the current one.
    """
    with account_write(services, caller) as (db, state):
        device = require_device(db, caller)
        if state.epoch == 0:
            raise NoKeyError
        if epoch != state.epoch:
            raise EpochChangedError
        keep_envelope(
            db, state=state, device_id=device.id, envelope=envelope, now=services.clock.now()
        )
        db.flush()
        return _view(db, caller)
