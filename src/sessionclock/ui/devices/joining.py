"""The devices screens' conversations with the service, each a plain function run off the GUI
thread (no Qt here), made of the core steps in ``sessionclock.core.devices.membership``.

- ``check``: register this device and say where it stands with the account's key: it holds it,
  the account has none yet (this is the first device), or it must be let in.
- ``new_key_history``: the first device's key and recovery code, or starting over; ``recover``.
- The new device polls its request with ``follow_request``: it reveals its nonce once another
  device answered, shows the code, and takes the key once approved.
- The approving device finds ``requests``, ``answer``s one, polls it with ``follow_answer``
  (the code, once the new device revealed its nonce) and ``approve``s or ``deny``s it.
- ``devices_page`` lists the devices (making a key change that was due first);
  ``remove_device`` removes one and changes the key.

Nothing here logs; nonces, keys and the recovery code stay in memory and the key store.
"""

from __future__ import annotations

import contextlib
import enum
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import httpx

from sessionclock.core.account.client import AccountApi
from sessionclock.core.devices import membership
from sessionclock.core.devices.api import DeviceInfo, DevicesApi, PairingInfo, PairingState
from sessionclock.core.devices.keys import load_account_keys
from sessionclock.core.devices.membership import Answering, Asking, Member, Members
from sessionclock.core.devices.records import DeviceRecord
from sessionclock.core.devices.recovery import RecoveryCode
from sessionclock.core.errors import DeviceSyncError, NotFoundError, SyncRefusedError
from sessionclock.core.keystore import KeyStore

MSG_DENIED = "The other device said no, so this device was not let in."
MSG_NO_KEY_HERE = (
    "This device does not hold your account's key, so it cannot change it. Do this on a device "
    "that syncs."
)


MSG_CLOSED = "The account was closed on this device meanwhile, so nothing was kept."


class _Gate:
    """Lets writes through until closed; closing waits for a write under way."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = True

    def close(self) -> None:
        with self._lock:
            self._open = False

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        with self._lock:
            if not self._open:
                raise DeviceSyncError(MSG_CLOSED)
            yield


class _GatedKeyStore:
    """A key store that takes no more secrets once its account is closed here."""

    def __init__(self, inner: KeyStore, gate: _Gate) -> None:
        self._inner = inner
        self._gate = gate

    def check_available(self) -> None:
        self._inner.check_available()

    def get_secret(self, name: str) -> bytes | None:
        return self._inner.get_secret(name)

    def set_secret(self, name: str, secret: bytes) -> None:
        with self._gate.writing():
            self._inner.set_secret(name, secret)

    def delete_secret(self, name: str) -> None:
        with self._gate.writing():
            self._inner.delete_secret(name)

    def location(self) -> str:
        return self._inner.location()


class _GatedRecords:
    """The account's records, written no more once the account is closed here."""

    def __init__(self, inner: Members, gate: _Gate) -> None:
        self._inner = inner
        self._gate = gate
        self.account_id = inner.account_id

    def link(self, *, service_account: str, device_id: str) -> None:
        with self._gate.writing():
            self._inner.link(service_account=service_account, device_id=device_id)

    def join(self) -> None:
        with self._gate.writing():
            self._inner.join()

    def devices(self) -> Sequence[DeviceRecord]:
        return self._inner.devices()

    def add_device(self, device: DeviceRecord) -> None:
        with self._gate.writing():
            self._inner.add_device(device)

    def remove_device(self, device_id: str) -> None:
        with self._gate.writing():
            self._inner.remove_device(device_id)

    def start_reseal(self, epoch: int) -> None:
        with self._gate.writing():
            self._inner.start_reseal(epoch)


class Here:
    """This device, signed in to one account, as the conversations see it.

    A conversation abandoned when the account closed (signed out, switched away, deleted) may
    still be waiting for the service; once ``close`` returned it writes nothing more here, so
    nothing of a closed or deleted account comes back into the key store or the database.

    Attributes:
        token: the sign-in token.
        keystore: where its keys live.
        records: its synced records (``store.sync_records.SyncRecords``).
    """

    def __init__(self, token: str, keystore: KeyStore, records: Members) -> None:
        self._gate = _Gate()
        self.token = token
        self.keystore: KeyStore = _GatedKeyStore(keystore, self._gate)
        self.records: Members = _GatedRecords(records, self._gate)

    def __repr__(self) -> str:
        return f"Here(account_id={self.account_id!r})"

    @property
    def account_id(self) -> str:
        """The local account."""
        return self.records.account_id

    def close(self) -> None:
        """Write nothing more (waits for a write under way)."""
        self._gate.close()


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
        member: this device as a member of the account.
    """

    standing: Standing
    member: Member


def check(client: httpx.Client, here: Here) -> Checked:
    """Register this device (again is harmless) and say where it stands with the account's key.

    A device holding an older key takes its envelope of the current one (a key change happened
    meanwhile); one holding the current key with no envelope at the service (it signed in
    again) posts its own.
    """
    api = DevicesApi(client)
    member = membership.register(
        api,
        AccountApi(client),
        token=here.token,
        keystore=here.keystore,
        account_id=here.account_id,
    )
    info = api.keys(token=here.token)
    if info.epoch == 0:
        return Checked(Standing.FIRST, member)
    held = load_account_keys(here.keystore, here.account_id)
    if held is None or held.account != member.service_account:
        return Checked(Standing.OUTSIDE, member)
    if held.epoch < info.epoch:
        try:
            held = membership.catch_up(
                api,
                token=here.token,
                keys=held,
                key=member.key,
                keystore=here.keystore,
                account_id=here.account_id,
            )
        except DeviceSyncError:
            return Checked(Standing.OUTSIDE, member)
    if held.epoch != info.epoch:
        return Checked(Standing.OUTSIDE, member)
    here.records.link(service_account=member.service_account, device_id=member.device.id)
    if info.envelope is None:
        membership.keep_own_envelope(api, token=here.token, member=member, keys=held)
    return Checked(Standing.JOINED, member)


def new_key_history(client: httpx.Client, here: Here, checked: Checked) -> RecoveryCode:
    """Make the account's first key, or (the account has one) start a new key history: every
    record synced before becomes unreadable. Slow (scrypt); return the recovery code, to show
    once."""
    begin = (
        membership.set_up_first_key if checked.standing is Standing.FIRST else membership.start_over
    )
    return begin(
        DevicesApi(client),
        token=here.token,
        member=checked.member,
        keystore=here.keystore,
        records=here.records,
    )


def recover(client: httpx.Client, here: Here, checked: Checked, typed: str) -> None:
    """Open the account's key with the recovery code *typed* (slow: scrypt) and join with it.

    Raises:
        RecoveryCodeError: the code has a typo, or is not this account's.
    """
    membership.recover(
        DevicesApi(client),
        token=here.token,
        member=checked.member,
        code=RecoveryCode.parse(typed),
        keystore=here.keystore,
        records=here.records,
    )


# -- pairing: the new device ---------------------------------------------------------------------


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
        asking: the new device's request as it stands now (on the new device).
        answering: the answer as it stands now (on the approving device).
    """

    progress: Progress
    code: str | None = None
    asking: Asking | None = None
    answering: Answering | None = None


def ask_to_join(client: httpx.Client, here: Here, checked: Checked) -> Asking:
    """Ask the account's other devices to let this one in (replaces an earlier request)."""
    return membership.ask_to_join(DevicesApi(client), token=here.token, member=checked.member)


def follow_request(
    client: httpx.Client, here: Here, checked: Checked, asking: Asking, code: str | None
) -> Followed:
    """Poll this device's request (*code*: the code already shown, if any): reveal this
    device's nonce once another device answered, take the key once it approved.

    Raises:
        NotFoundError: the request expired or was withdrawn.
        KeyNotVerifiedError: the key handed over is not from the device whose code was shown.
    """
    api = DevicesApi(client)
    seen = api.pairing(token=here.token, pairing_id=asking.pairing.id)
    if seen.state is PairingState.DENIED:
        return Followed(Progress.DENIED, asking=asking)
    if seen.state is PairingState.WAITING:
        return Followed(Progress.WAITING, asking=asking)
    if code is None:
        asking, code = membership.reveal(api, token=here.token, asking=asking)
    if seen.state is not PairingState.APPROVED:
        return Followed(Progress.CODE, code, asking=asking)
    membership.finish_joining(
        api,
        token=here.token,
        member=checked.member,
        asking=asking,
        keystore=here.keystore,
        records=here.records,
    )
    return Followed(Progress.APPROVED, code, asking=asking)


def deny(client: httpx.Client, here: Here, pairing_id: str) -> None:
    """Refuse a request, or withdraw this device's own (gone already is as good)."""
    with contextlib.suppress(NotFoundError):
        DevicesApi(client).deny(token=here.token, pairing_id=pairing_id)


# -- pairing: the approving device ---------------------------------------------------------------


def requests(client: httpx.Client, here: Here, checked: Checked) -> tuple[PairingInfo, ...]:
    """Return the new devices asking to join that no device answered yet, newest first."""
    return tuple(
        p
        for p in DevicesApi(client).pairings(token=here.token)
        if p.state is PairingState.WAITING and p.device_id != checked.member.device.id
    )


def answer(client: httpx.Client, here: Here, checked: Checked, pairing: PairingInfo) -> Answering:
    """Answer a new device's request with this device's nonce and key (the code follows)."""
    return membership.answer(
        DevicesApi(client), token=here.token, member=checked.member, pairing=pairing
    )


def follow_answer(
    client: httpx.Client, here: Here, checked: Checked, answering: Answering
) -> Followed:
    """Poll a request this device answered: the code, once the new device revealed its nonce.

    Raises:
        NotFoundError: the request expired or was withdrawn.
        PairingRefusedError: the revealed nonce is not the one the new device promised.
    """
    api = DevicesApi(client)
    seen = api.pairing(token=here.token, pairing_id=answering.pairing.id)
    if seen.state is PairingState.DENIED:
        return Followed(Progress.DENIED, answering=answering)
    if seen.nonce_b is None:
        return Followed(Progress.WAITING, answering=answering)
    answering, code = membership.pairing_code(
        api, token=here.token, member=checked.member, answering=answering
    )
    return Followed(Progress.CODE, code, answering=answering)


def approve(client: httpx.Client, here: Here, checked: Checked, answering: Answering) -> None:
    """Hand the new device the key, sealed with this device's key too, and vouch for it.

    Raises:
        DeviceSyncError: this device does not hold the key.
        NotFoundError: the request expired or was withdrawn.
    """
    keys = load_account_keys(here.keystore, here.account_id)
    if keys is None:
        raise DeviceSyncError(MSG_NO_KEY_HERE)
    membership.approve(
        DevicesApi(client),
        token=here.token,
        member=checked.member,
        answering=answering,
        keys=keys,
        records=here.records,
    )


# -- the account page ----------------------------------------------------------------------------


DevicesPage = tuple[tuple[DeviceInfo, ...], str]
"""The devices, and why a key change that was due could not be made ("" when none was)."""


def devices_page(client: httpx.Client, here: Here) -> DevicesPage:
    """Return the account's devices for the account page, after a key change that was due."""
    api = DevicesApi(client)
    problem = ""
    try:
        _rotate_if_due(api, here)
    except (DeviceSyncError, SyncRefusedError) as e:
        problem = str(e)
    return api.devices(token=here.token), problem


def _rotate_if_due(api: DevicesApi, here: Here) -> None:
    info = api.keys(token=here.token)
    if not info.rotation_due:
        return
    keys = load_account_keys(here.keystore, here.account_id)
    if keys is None or keys.epoch != info.epoch:
        raise DeviceSyncError(MSG_NO_KEY_HERE)
    membership.rotate(
        api, token=here.token, keys=keys, keystore=here.keystore, records=here.records
    )


def remove_device(client: httpx.Client, here: Here, device_id: str) -> tuple[DeviceInfo, ...]:
    """Remove a device (it is signed out) and change the key; return the devices left.

    Raises:
        NotFoundError: it is removed already.
        DeviceSyncError: this device does not hold the key (nothing was changed).
        SyncRefusedError: the key change was refused (the device is removed all the same; the
            change is made again when the account page opens).
    """
    api = DevicesApi(client)
    keys = load_account_keys(here.keystore, here.account_id)
    if keys is None:
        raise DeviceSyncError(MSG_NO_KEY_HERE)
    membership.remove_and_rotate(
        api,
        token=here.token,
        device_id=device_id,
        keys=keys,
        keystore=here.keystore,
        records=here.records,
    )
    return api.devices(token=here.token)
