"""How a device comes to hold the account's key, and how the key changes: the steps the
pairing screens, the recovery screens, the account page and the sync run, as plain functions
of the service's routes (``DevicesApi``), the key store and the store's records (no Qt).

- ``register``: this device's key pair (made once, kept in the key store) registered with the
  service for the caller's token.
- ``set_up_first_key``: the account's first device makes the data key and the recovery code
  (shown once by the caller); ``start_over`` does the same deliberately later, as a new key
  history (everything synced before becomes unreadable).
- Pairing, on the new device B: ``ask_to_join`` (step 1), ``reveal`` once A answered (step 3),
  then ``finish_joining`` once A approved (the envelope must have been sealed with A's own key,
  the one the six-digit code covered).
- Pairing, on the approving device A: ``answer`` (step 2), then, once B revealed,
  ``pairing_code`` (which checks B's commitment) and ``approve`` (step 4).
- ``recover``: the recovery code opens the current key on a device with no other device at hand.
- ``remove_and_rotate``: a device is removed and the data key changes for the others; every
  record is pushed again sealed with the new key at the next sync.
- ``catch_up``: a sync found a newer epoch: fetch this device's envelope of it and check it
  with the key-check key this device already trusts.

Every step that lets a device in also records it as a ``device`` record, so a rotation seals
the new key only to devices the practitioner let in, never to a key the service slipped into
its list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from sessionclock.core.account.client import AccountApi
from sessionclock.core.devices.api import DeviceInfo, DevicesApi, PairingInfo, Recovery
from sessionclock.core.devices.keys import (
    RECOVERY_RECIPIENT,
    AccountKeys,
    DeviceKey,
    load_device_key,
    open_envelope,
    save_account_keys,
    save_device_key,
    seal_envelope,
)
from sessionclock.core.devices.pairing import Transcript, check_reveal, commitment, new_nonce
from sessionclock.core.devices.records import DeviceRecord
from sessionclock.core.devices.recovery import RecoveryCode, derive, new_salt
from sessionclock.core.errors import (
    DeviceSyncError,
    KeyNotVerifiedError,
    PairingRefusedError,
    RecoveryCodeError,
)
from sessionclock.core.keystore import KeyStore

MSG_NOT_JOINED = (
    "This device does not hold your account's key yet, so it does not sync. Approve it on a "
    "device already signed in, or use the recovery code."
)
MSG_LEFT_OUT = (
    "Your account's key changed and this device was not given the new one, so it stopped "
    "syncing. Pair it again on a device already signed in."
)
MSG_WRONG_CODE = "That recovery code does not open your account's key. Check it and try again."
MSG_NO_RECOVERY = "Your account has no recovery code yet: pair this device with another instead."
MSG_NOT_APPROVED = "The other device has not approved this one yet."
MSG_NOT_REVEALED = "The new device has not answered yet."
MSG_NOT_ANSWERED = "No device has answered yet."


class Members(Protocol):
    """Where this device keeps the account's link and the devices let in
    (``store.sync_records.SyncRecords``)."""

    account_id: str

    def link(self, *, service_account: str, device_id: str) -> None:
        """Remember the account's id at the service and this device's."""
        ...

    def join(self) -> None:
        """Start syncing afresh: push everything, pull everything."""
        ...

    def devices(self) -> Sequence[DeviceRecord]:
        """Return the devices let in."""
        ...

    def add_device(self, device: DeviceRecord) -> None:
        """Record that a device was let in."""
        ...

    def remove_device(self, device_id: str) -> None:
        """Record that a device was removed."""
        ...

    def start_reseal(self, epoch: int) -> None:
        """Push every record again at the next sync, sealed in *epoch*."""
        ...


@dataclass(frozen=True, slots=True)
class Member:
    """This device as a member of the account at the service.

    Attributes:
        key: its X25519 key pair.
        device: the service's record of it.
        service_account: the account's id at the service.
    """

    key: DeviceKey = field(repr=False)
    device: DeviceInfo
    service_account: str


def register(
    devices: DevicesApi, account: AccountApi, *, token: str, keystore: KeyStore, account_id: str
) -> Member:
    """Register this device (making its key pair the first time) for the caller's token."""
    key = load_device_key(keystore, account_id)
    if key is None:
        key = DeviceKey.generate()
        save_device_key(keystore, account_id, key)
    device = devices.register(token=token, public_key=key.public)
    return Member(key, device, account.account(token=token).id)


def _let_in(records: Members, member: Member) -> None:
    records.link(service_account=member.service_account, device_id=member.device.id)
    records.add_device(DeviceRecord(member.device.id, member.key.public, member.device.name))
    records.join()


def set_up_first_key(
    devices: DevicesApi,
    *,
    token: str,
    member: Member,
    keystore: KeyStore,
    records: Members,
) -> RecoveryCode:
    """Make the account's first data key and its recovery code; return the code (to show once).

    Raises:
        SyncRefusedError: another device set up the key first (``key_exists``): pair instead.
    """

    def send(envelope: bytes, recovery: Recovery) -> None:
        devices.first_key(token=token, envelope=envelope, recovery=recovery)

    return _begin(1, send, member=member, keystore=keystore, records=records)


def start_over(
    devices: DevicesApi,
    *,
    token: str,
    member: Member,
    keystore: KeyStore,
    records: Members,
) -> RecoveryCode:
    """Start a new key history, deliberately (no other device and no recovery code at hand):
    the service deletes every record, envelope and pairing of the account, so what was synced
    before can no longer be read anywhere; return the new recovery code (to show once)."""
    epoch = devices.keys(token=token).epoch + 1

    def send(envelope: bytes, recovery: Recovery) -> None:
        devices.restart(token=token, epoch=epoch, envelope=envelope, recovery=recovery)

    return _begin(epoch, send, member=member, keystore=keystore, records=records)


def _begin(
    epoch: int,
    send: Callable[[bytes, Recovery], None],
    *,
    member: Member,
    keystore: KeyStore,
    records: Members,
) -> RecoveryCode:
    keys, code, salt = _new_history(member, epoch)
    envelope = seal_envelope(
        keys, recipient_public=member.key.public, recipient_id=member.device.id
    )
    send(envelope, _recovery(keys, salt))
    save_account_keys(keystore, records.account_id, keys)
    _let_in(records, member)
    return code


def _new_history(member: Member, epoch: int) -> tuple[AccountKeys, RecoveryCode, bytes]:
    code, salt = RecoveryCode.generate(), new_salt()
    secrets = derive(code, salt)
    keys = AccountKeys.first(
        account=member.service_account,
        recovery_public=secrets.recipient.public,
        check_key=secrets.check_key,
    )
    return replace(keys, epoch=epoch), code, salt


def _recovery(keys: AccountKeys, salt: bytes) -> Recovery:
    envelope = seal_envelope(
        keys, recipient_public=keys.recovery_public, recipient_id=RECOVERY_RECIPIENT
    )
    return Recovery(salt, keys.recovery_public, envelope)


# -- pairing: the new device ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Asking:
    """A new device's pairing under way.

    Attributes:
        pairing: the pairing as last seen.
        nonce: this device's nonce (revealed at step 3).
    """

    pairing: PairingInfo
    nonce: bytes = field(repr=False)


def ask_to_join(devices: DevicesApi, *, token: str, member: Member) -> Asking:
    """Ask to join the account (step 1): a device already signed in answers."""
    nonce = new_nonce()
    pairing = devices.ask_to_pair(
        token=token, public_key=member.key.public, commitment=commitment(nonce)
    )
    return Asking(pairing, nonce)


def reveal(devices: DevicesApi, *, token: str, asking: Asking) -> tuple[Asking, str]:
    """Reveal this device's nonce once a device answered (step 3); return the pairing and the
    six-digit code to compare.

    Raises:
        PairingRefusedError: no device has answered yet.
    """
    seen = devices.pairing(token=token, pairing_id=asking.pairing.id)
    if seen.nonce_a is None or seen.approver_public_key is None:
        raise PairingRefusedError(MSG_NOT_ANSWERED)
    revealed = devices.reveal(token=token, pairing_id=seen.id, nonce=asking.nonce)
    return Asking(revealed, asking.nonce), _transcript(seen, asking.nonce).code()


def _transcript(pairing: PairingInfo, nonce_new: bytes) -> Transcript:
    assert pairing.nonce_a is not None and pairing.approver_public_key is not None
    return Transcript(
        pairing.id, pairing.public_key, pairing.approver_public_key, pairing.nonce_a, nonce_new
    )


def finish_joining(
    devices: DevicesApi,
    *,
    token: str,
    member: Member,
    asking: Asking,
    keystore: KeyStore,
    records: Members,
) -> AccountKeys:
    """Take the key the approving device sealed to this one (after step 4); sync from scratch.

    Raises:
        PairingRefusedError: it has not approved yet.
        KeyNotVerifiedError: the envelope was not sealed by the device the code covered.
    """
    pairing = devices.pairing(token=token, pairing_id=asking.pairing.id)
    answered = asking.pairing.approver_public_key
    info = devices.keys(token=token)
    if info.envelope is None or answered is None or pairing.approver_public_key != answered:
        raise PairingRefusedError(MSG_NOT_APPROVED)
    keys = open_envelope(
        info.envelope,
        recipient=member.key,
        recipient_id=member.device.id,
        account=member.service_account,
        epoch=info.epoch,
        sender_public=answered,
    )
    save_account_keys(keystore, records.account_id, keys)
    _let_in(records, member)
    return keys


# -- pairing: the approving device ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answering:
    """An approving device's side of a pairing.

    Attributes:
        pairing: the pairing as last seen.
        nonce: this device's nonce.
    """

    pairing: PairingInfo
    nonce: bytes = field(repr=False)


def answer(devices: DevicesApi, *, token: str, member: Member, pairing: PairingInfo) -> Answering:
    """Answer a new device's request with this device's nonce and public key (step 2)."""
    nonce = new_nonce()
    answered = devices.answer(
        token=token, pairing_id=pairing.id, nonce=nonce, approver_public_key=member.key.public
    )
    return Answering(answered, nonce)


def pairing_code(
    devices: DevicesApi, *, token: str, member: Member, answering: Answering
) -> tuple[Answering, str]:
    """Return the pairing once the new device revealed its nonce, and the six-digit code.

    Raises:
        PairingRefusedError: it has not revealed yet, or its nonce is not the one it promised.
    """
    seen = devices.pairing(token=token, pairing_id=answering.pairing.id)
    if seen.nonce_b is None:
        raise PairingRefusedError(MSG_NOT_REVEALED)
    check_reveal(seen.nonce_b, answering.pairing.commitment)
    transcript = Transcript(
        seen.id, answering.pairing.public_key, member.key.public, answering.nonce, seen.nonce_b
    )
    return Answering(seen, answering.nonce), transcript.code()


def approve(
    devices: DevicesApi,
    *,
    token: str,
    member: Member,
    answering: Answering,
    keys: AccountKeys,
    records: Members,
) -> None:
    """Hand the new device the data key, sealed to it with this device's own key (step 4),
    once the practitioner saw the same code on both."""
    pairing = answering.pairing
    envelope = seal_envelope(
        keys, recipient_public=pairing.public_key, recipient_id=pairing.device_id, sender=member.key
    )
    devices.approve(token=token, pairing_id=pairing.id, epoch=keys.epoch, envelope=envelope)
    records.add_device(DeviceRecord(pairing.device_id, pairing.public_key, pairing.device_name))


# -- recovery, removal, catching up --------------------------------------------------------------


def recover(
    devices: DevicesApi,
    *,
    token: str,
    member: Member,
    code: RecoveryCode,
    keystore: KeyStore,
    records: Members,
) -> AccountKeys:
    """Open the account's current key with the recovery code and join with it.

    Raises:
        RecoveryCodeError: the account has no recovery code, or this is not it.
    """
    info = devices.keys(token=token)
    if info.recovery is None:
        raise RecoveryCodeError(MSG_NO_RECOVERY)
    secrets = derive(code, info.recovery.salt)
    if secrets.recipient.public != info.recovery.public_key:
        raise RecoveryCodeError(MSG_WRONG_CODE)
    try:
        keys = open_envelope(
            info.recovery.envelope,
            recipient=secrets.recipient,
            recipient_id=RECOVERY_RECIPIENT,
            account=member.service_account,
            epoch=info.epoch,
            check_key=secrets.check_key,
        )
    except KeyNotVerifiedError:
        raise RecoveryCodeError(MSG_WRONG_CODE) from None
    keep_own_envelope(devices, token=token, member=member, keys=keys)
    save_account_keys(keystore, records.account_id, keys)
    _let_in(records, member)
    return keys


def keep_own_envelope(
    devices: DevicesApi, *, token: str, member: Member, keys: AccountKeys
) -> None:
    """Post this device's own envelope of the current epoch (after recovering, or after signing
    in again while still holding the key)."""
    own = seal_envelope(keys, recipient_public=member.key.public, recipient_id=member.device.id)
    devices.put_envelope(token=token, epoch=keys.epoch, envelope=own)


def remove_and_rotate(
    devices: DevicesApi,
    *,
    token: str,
    device_id: str,
    keys: AccountKeys,
    keystore: KeyStore,
    records: Members,
) -> AccountKeys:
    """Remove a device (the service signs it out) and change the data key for the devices that
    remain and that one of the practitioner's devices let in; return the new keys."""
    devices.remove(token=token, device_id=device_id)
    records.remove_device(device_id)
    return rotate(devices, token=token, keys=keys, keystore=keystore, records=records)


def rotate(
    devices: DevicesApi,
    *,
    token: str,
    keys: AccountKeys,
    keystore: KeyStore,
    records: Members,
) -> AccountKeys:
    """Change the data key (a device holding it left); every record is re-sealed at the next
    sync."""
    trusted = {d.device_id: d.public_key for d in records.devices()}
    info = devices.keys(token=token)
    if info.recovery is None:
        raise DeviceSyncError(MSG_NO_RECOVERY)
    new = keys.rotated()
    envelopes = {
        d.id: seal_envelope(new, recipient_public=d.public_key, recipient_id=d.id)
        for d in devices.devices(token=token)
        if d.has_current_key and trusted.get(d.id) == d.public_key
    }
    devices.rotate(
        token=token,
        epoch=new.epoch,
        envelopes=envelopes,
        recovery=_recovery(new, info.recovery.salt),
    )
    save_account_keys(keystore, records.account_id, new)
    records.start_reseal(new.epoch)
    return new


def catch_up(
    devices: DevicesApi,
    *,
    token: str,
    keys: AccountKeys,
    key: DeviceKey,
    keystore: KeyStore,
    account_id: str,
) -> AccountKeys:
    """Take this device's envelope of the account's newer epoch, checked with the key-check key
    it already trusts.

    Raises:
        DeviceSyncError: this device was given no key of the new epoch (removed, or started
            over elsewhere): it must be paired again.
        KeyNotVerifiedError: the envelope is not genuine.
    """
    info = devices.keys(token=token)
    if info.epoch <= keys.epoch:
        return keys
    if info.envelope is None or info.device_id is None:
        raise DeviceSyncError(MSG_LEFT_OUT)
    new = open_envelope(
        info.envelope,
        recipient=key,
        recipient_id=info.device_id,
        account=keys.account,
        epoch=info.epoch,
        check_key=keys.check_key,
    )
    save_account_keys(keystore, account_id, new)
    return new
