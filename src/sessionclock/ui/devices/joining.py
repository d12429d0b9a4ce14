"""How a device gets the account's sync key, and how a device is removed: plain functions run off
the GUI thread (no Qt here), each one conversation with the service.

- ``check``: register this device's key and say where it stands: it holds the current key, the
  account has no key yet (this is the first device: ``set_up_first_key`` makes it and the
  recovery code), or it must be let in (pairing, the recovery code, or starting over).
- The new device's side of pairing: ``ask_to_join``, then ``follow_request`` at each poll (it
  reveals its nonce once the other device answered, shows the code, and takes the key once
  approved).
- The approving device's side: ``requests`` (new devices asking), ``answer``, ``follow_answer``
  (checks the revealed nonce against the commitment and shows the code), ``approve``, ``deny``.
- ``recover``: open the key with the recovery code. ``start_over``: a new key history (every
  synced record at the service is deleted).
- ``remove_device``: sign a device out, then ``rotate``: a new key sealed only to the devices
  this account's records vouch for, and to the recovery code.

Nothing here logs; the secrets (nonces, keys, the recovery code) never leave the key store, the
envelopes and this process's memory.
"""

from __future__ import annotations

import contextlib
import enum
from dataclasses import dataclass, field, replace
from typing import Protocol

import httpx

from sessionclock.core.account.client import AccountApi
from sessionclock.core.devices.api import (
    DeviceInfo,
    DevicesApi,
    KeysInfo,
    PairingInfo,
    PairingState,
    Recovery,
)
from sessionclock.core.devices.keys import (
    RECOVERY_RECIPIENT,
    AccountKeys,
    DeviceKey,
    load_account_keys,
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
    NotFoundError,
    PairingRefusedError,
    RecoveryCodeError,
    SyncRefusedError,
)
from sessionclock.core.keystore import KeyStore

MSG_NO_RECOVERY = (
    "This account has no recovery code yet, so there is nothing to open with one. Pair this "
    "device with one already signed in instead."
)
MSG_WRONG_CODE = (
    "This is not the recovery code of this account. Check each group against the printed or "
    "saved copy; a code from before the account was started over no longer works."
)
MSG_DENIED = "The other device said no, so this device was not let in."
MSG_NO_APPROVER = "The other device's answer was incomplete. Start the pairing again."
MSG_NOT_VOUCHED = (
    "The device '{name}' was not let in by one of your devices, so the new key is not handed to "
    "it. Remove it first, then try again."
)
MSG_NO_KEY_HERE = (
    "This device does not hold the account's key, so it cannot do that. Pair it first."
)


class RecordsHere(Protocol):
    """The account's synced records on this device (``store.sync_records.SyncRecords``)."""

    def link(self, *, service_account: str, device_id: str) -> None:
        """Remember the account's id at the service and this device's."""
        ...

    def join(self) -> None:
        """Start syncing afresh: push everything here, pull everything there."""
        ...

    def start_reseal(self, epoch: int) -> None:
        """Push every record again at the next sync, sealed in *epoch*."""
        ...

    def devices(self) -> tuple[DeviceRecord, ...]:
        """Return the devices let into the account."""
        ...

    def add_device(self, device: DeviceRecord) -> None:
        """Record that *device* was let in."""
        ...

    def remove_device(self, device_id: str) -> None:
        """Record that the device *device_id* was removed."""
        ...


@dataclass(frozen=True)
class Here:
    """This device, signed in to one account.

    Attributes:
        token: the sign-in token.
        account_id: the local account.
        keystore: where its keys live.
        records: its synced records.
    """

    token: str = field(repr=False)
    account_id: str
    keystore: KeyStore = field(repr=False)
    records: RecordsHere = field(repr=False)

    def device_key(self) -> DeviceKey:
        """Return this device's key for the account, made and kept on first use."""
        key = load_device_key(self.keystore, self.account_id)
        if key is None:
            key = DeviceKey.generate()
            save_device_key(self.keystore, self.account_id, key)
        return key

    def keys(self) -> AccountKeys | None:
        """Return the sync keys this device holds, if any."""
        return load_account_keys(self.keystore, self.account_id)


class Standing(enum.Enum):
    """Where this device stands with the account's key."""

    JOINED = "joined"
    """It holds the current key: it syncs."""
    FIRST = "first"
    """The account has no key yet: this device makes it."""
    OUTSIDE = "outside"
    """The account has a key this device does not hold: pair, recover or start over."""


@dataclass(frozen=True, slots=True)
class Checked:
    """What ``check`` found.

    Attributes:
        standing: where this device stands.
        device: this device as the service lists it.
        service_account: the account's id at the service.
        epoch: the account's current key epoch.
    """

    standing: Standing
    device: DeviceInfo
    service_account: str
    epoch: int


def _apis(client: httpx.Client) -> tuple[AccountApi, DevicesApi]:
    return AccountApi(client), DevicesApi(client)


def check(client: httpx.Client, here: Here) -> Checked:
    """Register this device (idempotent) and say where it stands with the account's key.

    A device that holds an older key opens the current one from its own envelope (a rotation
    happened meanwhile); one that holds the current key but has no envelope at the service (it
    signed in again) posts its own.
    """
    accounts, api = _apis(client)
    service_account = accounts.account(token=here.token).id
    key = here.device_key()
    device = api.register(token=here.token, public_key=key.public)
    here.records.link(service_account=service_account, device_id=device.id)
    info = api.keys(token=here.token)
    if info.epoch == 0:
        return Checked(Standing.FIRST, device, service_account, 0)
    held = here.keys()
    if held is not None and held.account != service_account:
        held = None
    if held is not None and held.epoch < info.epoch and info.envelope is not None:
        held = _catch_up(here, key, device.id, held, info)
    if held is None or held.epoch != info.epoch:
        return Checked(Standing.OUTSIDE, device, service_account, info.epoch)
    if info.envelope is None:
        envelope = seal_envelope(held, recipient_public=key.public, recipient_id=device.id)
        api.put_envelope(token=here.token, epoch=held.epoch, envelope=envelope)
    return Checked(Standing.JOINED, device, service_account, info.epoch)


def _catch_up(
    here: Here, key: DeviceKey, device_id: str, held: AccountKeys, info: KeysInfo
) -> AccountKeys | None:
    assert info.envelope is not None
    try:
        keys = open_envelope(
            info.envelope,
            recipient=key,
            recipient_id=device_id,
            account=held.account,
            epoch=info.epoch,
            check_key=held.check_key,
        )
    except KeyNotVerifiedError:
        return None
    save_account_keys(here.keystore, here.account_id, keys)
    return keys


def _keep(here: Here, keys: AccountKeys, device: DeviceInfo | None) -> None:
    save_account_keys(here.keystore, here.account_id, keys)
    if device is not None:
        here.records.add_device(DeviceRecord(device.id, device.public_key, device.name))
    here.records.join()


def _fresh_keys(service_account: str, epoch: int) -> tuple[AccountKeys, RecoveryCode, bytes]:
    code = RecoveryCode.generate()
    salt = new_salt()
    secrets = derive(code, salt)
    keys = AccountKeys.first(
        account=service_account,
        recovery_public=secrets.recipient.public,
        check_key=secrets.check_key,
    )
    return replace(keys, epoch=epoch), code, salt


def _recovery(keys: AccountKeys, salt: bytes) -> Recovery:
    envelope = seal_envelope(
        keys, recipient_public=keys.recovery_public, recipient_id=RECOVERY_RECIPIENT
    )
    return Recovery(salt, keys.recovery_public, envelope)


def set_up_first_key(client: httpx.Client, here: Here, checked: Checked) -> RecoveryCode:
    """Make the account's first key and its recovery code (slow: scrypt); return the code,
    to be shown once.

    Raises:
        SyncRefusedError: ``key_exists``: another device was first (pair with it instead).
    """
    _accounts, api = _apis(client)
    keys, code, salt = _fresh_keys(checked.service_account, 1)
    own = seal_envelope(
        keys, recipient_public=here.device_key().public, recipient_id=checked.device.id
    )
    api.first_key(token=here.token, envelope=own, recovery=_recovery(keys, salt))
    _keep(here, keys, checked.device)
    return code


def start_over(client: httpx.Client, here: Here, checked: Checked) -> RecoveryCode:
    """Start a new key history (every synced record at the service is deleted); return the new
    recovery code, to be shown once."""
    _accounts, api = _apis(client)
    epoch = api.keys(token=here.token).epoch + 1
    keys, code, salt = _fresh_keys(checked.service_account, epoch)
    own = seal_envelope(
        keys, recipient_public=here.device_key().public, recipient_id=checked.device.id
    )
    api.restart(token=here.token, epoch=epoch, envelope=own, recovery=_recovery(keys, salt))
    _keep(here, keys, checked.device)
    return code


def recover(client: httpx.Client, here: Here, checked: Checked, typed: str) -> AccountKeys:
    """Open the account's key with the recovery code *typed* (slow: scrypt), keep it and post
    this device's own envelope.

    Raises:
        RecoveryCodeError: the code has a typo, or is not this account's.
    """
    code = RecoveryCode.parse(typed)
    _accounts, api = _apis(client)
    info = api.keys(token=here.token)
    if info.recovery is None:
        raise RecoveryCodeError(MSG_NO_RECOVERY)
    secrets = derive(code, info.recovery.salt)
    if secrets.recipient.public != info.recovery.public_key:
        raise RecoveryCodeError(MSG_WRONG_CODE)
    keys = open_envelope(
        info.recovery.envelope,
        recipient=secrets.recipient,
        recipient_id=RECOVERY_RECIPIENT,
        account=checked.service_account,
        epoch=info.epoch,
        check_key=secrets.check_key,
    )
    own = seal_envelope(
        keys, recipient_public=here.device_key().public, recipient_id=checked.device.id
    )
    api.put_envelope(token=here.token, epoch=keys.epoch, envelope=own)
    _keep(here, keys, checked.device)
    return keys


# -- pairing: the new device -------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """This device's request to join.

    Attributes:
        pairing_id: the pairing's id.
        nonce: this device's nonce (revealed once the other device answered).
    """

    pairing_id: str
    nonce: bytes = field(repr=False)


class Progress(enum.Enum):
    """Where a pairing stands, as one side sees it."""

    WAITING = "waiting"
    """No answer yet."""
    CODE = "code"
    """Both nonces are known: compare the code."""
    APPROVED = "approved"
    """Done: the new device holds the key."""
    DENIED = "denied"
    """One side said no."""


@dataclass(frozen=True, slots=True)
class Followed:
    """What a poll of a pairing found.

    Attributes:
        progress: where it stands.
        code: the six digits to compare (from ``CODE`` on).
        device_name: the new device's name.
    """

    progress: Progress
    code: str | None = None
    device_name: str = ""


def ask_to_join(client: httpx.Client, here: Here) -> Request:
    """Ask the account's other devices to let this one in (replaces an earlier request)."""
    _accounts, api = _apis(client)
    nonce = new_nonce()
    pairing = api.ask_to_pair(
        token=here.token, public_key=here.device_key().public, commitment=commitment(nonce)
    )
    return Request(pairing.id, nonce)


def _transcript(pairing: PairingInfo, nonce_new: bytes) -> Transcript:
    if pairing.approver_public_key is None or pairing.nonce_a is None:
        raise PairingRefusedError(MSG_NO_APPROVER)
    return Transcript(
        pairing_id=pairing.id,
        new_device_public=pairing.public_key,
        approver_public=pairing.approver_public_key,
        nonce_approver=pairing.nonce_a,
        nonce_new=nonce_new,
    )


def follow_request(
    client: httpx.Client, here: Here, checked: Checked, request: Request
) -> Followed:
    """Poll this device's request: reveal the nonce once answered, take the key once approved.

    Raises:
        NotFoundError: the request expired or was cancelled.
        KeyNotVerifiedError: the key handed over is not from the device whose code was shown.
    """
    _accounts, api = _apis(client)
    pairing = api.pairing(token=here.token, pairing_id=request.pairing_id)
    if pairing.state is PairingState.WAITING:
        return Followed(Progress.WAITING, device_name=pairing.device_name)
    if pairing.state is PairingState.DENIED:
        return Followed(Progress.DENIED, device_name=pairing.device_name)
    if pairing.state is PairingState.ANSWERED:
        pairing = api.reveal(token=here.token, pairing_id=request.pairing_id, nonce=request.nonce)
    transcript = _transcript(pairing, request.nonce)
    if pairing.state is not PairingState.APPROVED:
        return Followed(Progress.CODE, transcript.code(), pairing.device_name)
    info = api.keys(token=here.token)
    if info.envelope is None:
        return Followed(Progress.CODE, transcript.code(), pairing.device_name)
    keys = open_envelope(
        info.envelope,
        recipient=here.device_key(),
        recipient_id=checked.device.id,
        account=checked.service_account,
        epoch=info.epoch,
        sender_public=transcript.approver_public,
    )
    _keep(here, keys, None)
    return Followed(Progress.APPROVED, transcript.code(), pairing.device_name)


# -- pairing: the approving device -------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """This device's answer to a new device's request.

    Attributes:
        pairing: the request as answered.
        nonce: this device's nonce.
    """

    pairing: PairingInfo
    nonce: bytes = field(repr=False)


def requests(client: httpx.Client, here: Here, checked: Checked) -> tuple[PairingInfo, ...]:
    """Return the new devices asking to join that no device answered yet, newest first."""
    _accounts, api = _apis(client)
    return tuple(
        p
        for p in api.pairings(token=here.token)
        if p.state is PairingState.WAITING and p.device_id != checked.device.id
    )


def answer(client: httpx.Client, here: Here, pairing: PairingInfo) -> Answer:
    """Answer a request with this device's nonce and public key (the code follows)."""
    _accounts, api = _apis(client)
    nonce = new_nonce()
    answered = api.answer(
        token=here.token,
        pairing_id=pairing.id,
        nonce=nonce,
        approver_public_key=here.device_key().public,
    )
    return Answer(answered, nonce)


def _revealed(
    client: httpx.Client, here: Here, given: Answer
) -> tuple[PairingInfo, Transcript | None]:
    _accounts, api = _apis(client)
    pairing = api.pairing(token=here.token, pairing_id=given.pairing.id)
    if pairing.nonce_b is None:
        return pairing, None
    check_reveal(pairing.nonce_b, given.pairing.commitment)
    transcript = Transcript(
        pairing_id=pairing.id,
        new_device_public=given.pairing.public_key,
        approver_public=here.device_key().public,
        nonce_approver=given.nonce,
        nonce_new=pairing.nonce_b,
    )
    return pairing, transcript


def follow_answer(client: httpx.Client, here: Here, given: Answer) -> Followed:
    """Poll a request this device answered: the code once the new device revealed its nonce.

    Raises:
        NotFoundError: the request expired or was cancelled.
        PairingRefusedError: the revealed nonce is not the one promised.
    """
    pairing, transcript = _revealed(client, here, given)
    name = given.pairing.device_name
    if pairing.state is PairingState.DENIED:
        return Followed(Progress.DENIED, device_name=name)
    if transcript is None:
        return Followed(Progress.WAITING, device_name=name)
    return Followed(Progress.CODE, transcript.code(), name)


def approve(client: httpx.Client, here: Here, given: Answer) -> None:
    """Hand the new device the key, sealed with this device's key too, and vouch for it.

    Raises:
        DeviceSyncError: this device does not hold the key.
        NotFoundError: the request expired or was cancelled.
    """
    _accounts, api = _apis(client)
    keys = here.keys()
    if keys is None:
        raise DeviceSyncError(MSG_NO_KEY_HERE)
    pairing, transcript = _revealed(client, here, given)
    if transcript is None:
        raise PairingRefusedError(MSG_NO_APPROVER)
    envelope = seal_envelope(
        keys,
        recipient_public=given.pairing.public_key,
        recipient_id=given.pairing.device_id,
        sender=here.device_key(),
    )
    api.approve(token=here.token, pairing_id=pairing.id, epoch=keys.epoch, envelope=envelope)
    here.records.add_device(
        DeviceRecord(given.pairing.device_id, given.pairing.public_key, given.pairing.device_name)
    )


def deny(client: httpx.Client, here: Here, pairing_id: str) -> None:
    """Refuse a request, or withdraw this device's own (gone already is as good)."""
    _accounts, api = _apis(client)
    with contextlib.suppress(NotFoundError):
        api.deny(token=here.token, pairing_id=pairing_id)


# -- devices -----------------------------------------------------------------------------------


def devices(client: httpx.Client, here: Here) -> tuple[DeviceInfo, ...]:
    """Return the account's devices, oldest first."""
    _accounts, api = _apis(client)
    return api.devices(token=here.token)


def devices_page(client: httpx.Client, here: Here) -> tuple[tuple[DeviceInfo, ...], str]:
    """Return the account's devices for the account page, after a key change that was due, with
    why that change could not be made ("" when it was not needed or was made)."""
    try:
        return rotate(client, here), ""
    except (DeviceSyncError, SyncRefusedError) as e:
        return devices(client, here), str(e)


def remove_device(client: httpx.Client, here: Here, device_id: str) -> tuple[DeviceInfo, ...]:
    """Remove a device (it is signed out), then change the key; return the devices left.

    Raises:
        NotFoundError: it is removed already.
        DeviceSyncError: the key could not be changed (the device is removed all the same;
            ``rotate`` is tried again when the account page opens).
    """
    _accounts, api = _apis(client)
    api.remove(token=here.token, device_id=device_id)
    here.records.remove_device(device_id)
    return rotate(client, here)


def rotate(client: httpx.Client, here: Here) -> tuple[DeviceInfo, ...]:
    """Change to a new key if one is due, sealed to every device holding the current key (each
    vouched for by this account's records) and to the recovery code; return the devices."""
    _accounts, api = _apis(client)
    info = api.keys(token=here.token)
    listed = api.devices(token=here.token)
    keys = here.keys()
    if not info.rotation_due:
        return listed
    if keys is None or keys.epoch != info.epoch or info.recovery is None:
        raise DeviceSyncError(MSG_NO_KEY_HERE)
    vouched = {d.device_id: d.public_key for d in here.records.devices()}
    new = keys.rotated()
    envelopes: dict[str, bytes] = {}
    for device in listed:
        if not device.has_current_key:
            continue
        if not device.current and vouched.get(device.id) != device.public_key:
            raise DeviceSyncError(MSG_NOT_VOUCHED.format(name=device.name))
        envelopes[device.id] = seal_envelope(
            new, recipient_public=device.public_key, recipient_id=device.id
        )
    api.rotate(
        token=here.token,
        epoch=new.epoch,
        envelopes=envelopes,
        recovery=_recovery(new, info.recovery.salt),
    )
    save_account_keys(here.keystore, here.account_id, new)
    here.records.start_reseal(new.epoch)
    return api.devices(token=here.token)
