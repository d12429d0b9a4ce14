"""Pairing a new device: the commit-then-reveal exchange the service relays but cannot forge.

1. The new device B asks (`start_pairing`): its registered public key and SHA-256(nonce_b).
2. A device A that holds the current key answers (`answer_pairing`) with nonce_a and its own
   registered public key.
3. B reveals nonce_b (`reveal_pairing`); the service checks it against the commitment.
4. A, having compared the six-digit code with the practitioner, posts the current key sealed to
   B (`approve_pairing`); it becomes B's envelope. Either side may deny it before that.

B committed to nonce_b before anyone saw nonce_a, so whoever relays cannot choose keys or nonces
until a code of their liking comes up. Each step is allowed in one state only and to one device
only; a pairing is gone `pairing_minutes` after B asked, whatever its state.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from sessionclock_service.clock import as_utc
from sessionclock_service.db.models import ApiToken, Device, Pairing
from sessionclock_service.errors import ConflictError, NotFoundError
from sessionclock_service.security import is_row_id, new_id
from sessionclock_service.usecases.devices import (
    EpochChangedError,
    PublicKeyMismatchError,
    account_write,
    keep_envelope,
    require_device,
    require_key,
)
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.tokens import Caller

PairingState = Literal["waiting", "answered", "revealed", "approved", "denied"]


class PairingStateError(ConflictError):
    """Raised when a step does not apply to the pairing's state, or not from this device."""

    code = "pairing_state"
    message = "This pairing step is not possible now, or not from this device."


class CommitmentMismatchError(ConflictError):
    """Raised when the revealed nonce does not hash to the commitment."""

    code = "commitment_mismatch"
    message = "The revealed nonce does not match the commitment."


@dataclass(frozen=True, kw_only=True)
class PairingInfo:
    """A pairing as the account's devices see it.

    Attributes:
        id: The pairing's id.
        state: Where the exchange stands.
        device_id: The new device.
        device_name: Its name from its sign-in.
        public_key: Its public key.
        commitment: SHA-256 of its nonce.
        nonce_a: The approving device's nonce, once it answered.
        approver_device_id: The approving device, once it answered.
        approver_public_key: Its public key, once it answered.
        nonce_b: The new device's nonce, once revealed.
        created_at: When the new device asked.
        expires_at: When the pairing is gone.
    """

    id: str
    state: PairingState
    device_id: str
    device_name: str
    public_key: bytes
    commitment: bytes
    nonce_a: bytes | None
    approver_device_id: str | None
    approver_public_key: bytes | None
    nonce_b: bytes | None
    created_at: datetime
    expires_at: datetime


def _infos(
    db: Session, account_id: str, *, now: datetime, pairing_id: str | None = None
) -> list[PairingInfo]:
    approver = aliased(Device)
    query = (
        select(Pairing, Device.public_key, ApiToken.device_name, approver.public_key)
        .join(Device, (Device.id == Pairing.device_id) & (Device.account_id == account_id))
        .join(ApiToken, (ApiToken.id == Device.token_id) & (ApiToken.account_id == account_id))
        .outerjoin(
            approver,
            (approver.id == Pairing.approver_device_id) & (approver.account_id == account_id),
        )
        .where(Pairing.account_id == account_id, Pairing.expires_at > now)
        .order_by(Pairing.created_at.desc(), Pairing.id)
    )
    if pairing_id is not None:
        query = query.where(Pairing.id == pairing_id)
    return [
        PairingInfo(
            id=p.id,
            state=cast(PairingState, p.state),
            device_id=p.device_id,
            device_name=name,
            public_key=public_key,
            commitment=p.commitment,
            nonce_a=p.nonce_a,
            approver_device_id=p.approver_device_id,
            approver_public_key=approver_key,
            nonce_b=p.nonce_b,
            created_at=as_utc(p.created_at),
            expires_at=as_utc(p.expires_at),
        )
        for p, public_key, name, approver_key in db.execute(query).all()
    ]


def _info(db: Session, account_id: str, pairing_id: str, *, now: datetime) -> PairingInfo:
    found = _infos(db, account_id, now=now, pairing_id=pairing_id)
    if not found:
        raise NotFoundError
    return found[0]


def _live(db: Session, caller: Caller, pairing_id: str, *, now: datetime) -> Pairing:
    """Return the caller's account's live pairing *pairing_id* (404 when none)."""
    pairing = (
        db.scalar(
            select(Pairing).where(
                Pairing.id == pairing_id,
                Pairing.account_id == caller.account_id,
                Pairing.expires_at > now,
            )
        )
        if is_row_id(pairing_id)
        else None
    )
    if pairing is None:
        raise NotFoundError
    return pairing


def start_pairing(
    services: Services, *, caller: Caller, public_key: bytes, commitment: bytes
) -> PairingInfo:
    """Ask to join the account as the caller's device; replaces the device's previous pairing.

    Raises:
        DeviceRequiredError: The caller has no registered device.
        PublicKeyMismatchError: *public_key* is not the device's.
        RateLimitedError: The account started too many pairings this hour.
    """
    now = services.clock.now()
    with account_write(services, caller) as (db, _state):
        device = require_device(db, caller)
        if device.public_key != public_key:
            raise PublicKeyMismatchError
        services.limiter.take(
            db,
            kind="pair",
            subject=caller.account_id,
            free=services.settings.pairings_per_hour,
            now=now,
        )
        db.execute(
            delete(Pairing).where(
                Pairing.account_id == caller.account_id, Pairing.device_id == device.id
            )
        )
        pairing = Pairing(
            id=new_id(),
            account_id=caller.account_id,
            device_id=device.id,
            state="waiting",
            commitment=commitment,
            created_at=now,
            expires_at=now + timedelta(minutes=services.settings.pairing_minutes),
        )
        db.add(pairing)
        db.flush()
        return _info(db, caller.account_id, pairing.id, now=now)


def list_pairings(services: Services, *, caller: Caller) -> list[PairingInfo]:
    """List the live pairings of the caller's account, newest first."""
    with services.db.read() as db:
        return _infos(db, caller.account_id, now=services.clock.now())


def get_pairing(services: Services, *, caller: Caller, pairing_id: str) -> PairingInfo:
    """Return one live pairing of the caller's account.

    Raises:
        NotFoundError: No such live pairing of the account.
    """
    if not is_row_id(pairing_id):
        raise NotFoundError
    with services.db.read() as db:
        return _info(db, caller.account_id, pairing_id, now=services.clock.now())


def answer_pairing(
    services: Services,
    *,
    caller: Caller,
    pairing_id: str,
    nonce_a: bytes,
    approver_public_key: bytes,
) -> PairingInfo:
    """Answer a waiting pairing from a device that holds the current key.

    Raises:
        NotFoundError: No such live pairing of the account.
        DeviceRequiredError: The caller has no registered device.
        PairingStateError: It was answered already, or the caller is the new device.
        PublicKeyMismatchError: *approver_public_key* is not the caller's.
        KeyRequiredError: The caller does not hold the current key.
    """
    now = services.clock.now()
    with account_write(services, caller) as (db, state):
        pairing = _live(db, caller, pairing_id, now=now)
        device = require_device(db, caller)
        if pairing.state != "waiting" or pairing.device_id == device.id:
            raise PairingStateError
        if device.public_key != approver_public_key:
            raise PublicKeyMismatchError
        require_key(db, device, state)
        pairing.nonce_a = nonce_a
        pairing.approver_device_id = device.id
        pairing.state = "answered"
        db.flush()
        return _info(db, caller.account_id, pairing.id, now=now)


def reveal_pairing(
    services: Services, *, caller: Caller, pairing_id: str, nonce_b: bytes
) -> PairingInfo:
    """Reveal the new device's nonce once a device answered.

    Raises:
        NotFoundError: No such live pairing of the account.
        DeviceRequiredError: The caller has no registered device.
        PairingStateError: Not answered yet, revealed already, or not the caller's pairing.
        CommitmentMismatchError: SHA-256(*nonce_b*) is not the commitment.
    """
    now = services.clock.now()
    with account_write(services, caller) as (db, _state):
        pairing = _live(db, caller, pairing_id, now=now)
        device = require_device(db, caller)
        if pairing.state != "answered" or pairing.device_id != device.id:
            raise PairingStateError
        if not hmac.compare_digest(hashlib.sha256(nonce_b).digest(), pairing.commitment):
            raise CommitmentMismatchError
        pairing.nonce_b = nonce_b
        pairing.state = "revealed"
        db.flush()
        return _info(db, caller.account_id, pairing.id, now=now)


def approve_pairing(
    services: Services, *, caller: Caller, pairing_id: str, epoch: int, envelope: bytes
) -> PairingInfo:
    """Hand the new device the current key, sealed to it by the device that answered.

    Raises:
        NotFoundError: No such live pairing of the account.
        DeviceRequiredError: The caller has no registered device.
        PairingStateError: Not revealed yet, finished already, or the caller did not answer it.
        KeyRequiredError: The caller no longer holds the current key.
        EpochChangedError: *epoch* is not the current one.
    """
    now = services.clock.now()
    with account_write(services, caller) as (db, state):
        pairing = _live(db, caller, pairing_id, now=now)
        device = require_device(db, caller)
        if pairing.state != "revealed" or pairing.approver_device_id != device.id:
            raise PairingStateError
        require_key(db, device, state)
        if epoch != state.epoch:
            raise EpochChangedError
        keep_envelope(db, state=state, device_id=pairing.device_id, envelope=envelope, now=now)
        pairing.state = "approved"
        db.flush()
        return _info(db, caller.account_id, pairing.id, now=now)


def deny_pairing(services: Services, *, caller: Caller, pairing_id: str) -> PairingInfo:
    """Deny (or, from the new device, cancel) a pairing not approved yet.

    Raises:
        NotFoundError: No such live pairing of the account.
        DeviceRequiredError: The caller has no registered device.
        PairingStateError: It was approved already.
    """
    now = services.clock.now()
    with account_write(services, caller) as (db, _state):
        pairing = _live(db, caller, pairing_id, now=now)
        require_device(db, caller)
        if pairing.state == "approved":
            raise PairingStateError
        pairing.state = "denied"
        db.flush()
        return _info(db, caller.account_id, pairing.id, now=now)
