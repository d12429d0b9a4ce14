"""A practitioner's device without windows, for the tests and benchmarks of syncing between
devices: its own database, its own key store, a sign-in at the real service, and the core steps
of joining, pairing and syncing exactly as the app's workers run them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sessionclock.core.account.client import AccountApi, make_service_client
from sessionclock.core.account.credentials import load_token, save_token
from sessionclock.core.clock import Clock, SystemClock
from sessionclock.core.devices import membership
from sessionclock.core.devices.api import DevicesApi
from sessionclock.core.devices.cycle import CycleReport, sync_account
from sessionclock.core.devices.keys import AccountKeys, load_account_keys
from sessionclock.core.devices.membership import Member
from sessionclock.core.devices.recovery import RecoveryCode
from sessionclock.core.keystore import KeyringKeyStore, KeyStore
from sessionclock.profile import Profile
from sessionclock.store import AccountRepository, Database
from sessionclock.store.sync_records import SyncRecords
from tests.support.fake_resend import FakeResend
from tests.support.keyrings import InMemoryKeyring
from tests.support.service import PASSWORD, mailed_code, new_email


@dataclass
class Device:
    """One of the practitioner's devices: a database and key store of its own, signed in.

    Attributes:
        name: what it is called at the service.
        database: its database.
        keystore: its key store (a keyring backend of its own).
        account_id: the local account.
        token: its sign-in token.
        client: its httpx client of the service.
        member: the device as registered at the service.
    """

    name: str
    database: Database
    keystore: KeyStore
    account_id: str
    token: str
    client: httpx.Client = field(repr=False)
    member: Member
    clock: Clock = field(default_factory=SystemClock)
    owns_database: bool = True

    @property
    def api(self) -> DevicesApi:
        """The device, key and sync routes."""
        return DevicesApi(self.client)

    @property
    def repository(self) -> AccountRepository:
        """The account's repository here."""
        return self.database.repository(self.account_id, self.keystore, clock=self.clock)

    @property
    def records(self) -> SyncRecords:
        """The account's synced records here."""
        return self.database.sync_records(self.account_id, self.keystore, clock=self.clock)

    @property
    def keys(self) -> AccountKeys:
        """The account keys this device holds."""
        keys = load_account_keys(self.keystore, self.account_id)
        assert keys is not None, f"{self.name} holds no key"
        return keys

    def sync(self) -> CycleReport:
        """Sync once, as the app's worker does."""
        return sync_account(
            self.api,
            token=self.token,
            keystore=self.keystore,
            account_id=self.account_id,
            store=self.records,
        )

    def close(self) -> None:
        """Close its client and (unless an app's) its database."""
        self.client.close()
        if self.owns_database:
            self.database.close()


def signed_up(base_url: str, mailbox: FakeResend) -> str:
    """Create and confirm a new account at the service; return its e-mail address."""
    email = new_email()
    with make_service_client(base_url) as client:
        api = AccountApi(client)
        api.sign_up(email=email, password=PASSWORD)
        api.confirm_sign_up(email=email, code=mailed_code(mailbox, email))
    return email


def device(base_url: str, folder: Path, *, email: str, name: str) -> Device:
    """Sign *email* in on a new device kept in *folder* and register it."""
    keystore = KeyringKeyStore(backend=InMemoryKeyring())
    database = Database.open(folder / name / "sessionclock.db")
    account_id = database.create_account()
    client = make_service_client(base_url)
    token = AccountApi(client).sign_in(email=email, password=PASSWORD, device_name=name).token
    save_token(keystore, account_id, token)
    member = membership.register(
        DevicesApi(client),
        AccountApi(client),
        token=token,
        keystore=keystore,
        account_id=account_id,
    )
    return Device(name, database, keystore, account_id, token, client, member)


def device_of(profile: Profile, base_url: str, *, name: str) -> Device:
    """Return the running app's signed-in *profile* as a device, registered at the service (what
    the pairing screens do first)."""
    token = load_token(profile.keystore, profile.account_id)
    assert token is not None, "the profile is not signed in"
    client = make_service_client(base_url)
    member = membership.register(
        DevicesApi(client),
        AccountApi(client),
        token=token,
        keystore=profile.keystore,
        account_id=profile.account_id,
    )
    return Device(
        name,
        profile.database,
        profile.keystore,
        profile.account_id,
        token,
        client,
        member,
        owns_database=False,
    )


def set_up_first(device: Device) -> RecoveryCode:
    """Make *device* the account's first: it makes the key and the recovery code."""
    return membership.set_up_first_key(
        device.api,
        token=device.token,
        member=device.member,
        keystore=device.keystore,
        records=device.records,
    )


def pair(approver: Device, newcomer: Device) -> tuple[str, str]:
    """Pair *newcomer* with *approver* through every step; return the code each showed."""
    asking = membership.ask_to_join(newcomer.api, token=newcomer.token, member=newcomer.member)
    [pending] = [
        p for p in approver.api.pairings(token=approver.token) if p.id == asking.pairing.id
    ]
    answering = membership.answer(
        approver.api, token=approver.token, member=approver.member, pairing=pending
    )
    asking, newcomer_code = membership.reveal(newcomer.api, token=newcomer.token, asking=asking)
    answering, approver_code = membership.pairing_code(
        approver.api, token=approver.token, member=approver.member, answering=answering
    )
    assert approver_code == newcomer_code, "the practitioner would deny this"
    membership.approve(
        approver.api,
        token=approver.token,
        member=approver.member,
        answering=answering,
        keys=approver.keys,
        records=approver.records,
    )
    membership.finish_joining(
        newcomer.api,
        token=newcomer.token,
        member=newcomer.member,
        asking=asking,
        keystore=newcomer.keystore,
        records=newcomer.records,
    )
    return approver_code, newcomer_code


@contextmanager
def paired_devices(
    base_url: str, mailbox: FakeResend, folder: Path
) -> Iterator[tuple[Device, Device]]:
    """A new account's clinic computer (its first device) and room tablet, paired; closed after."""
    email = signed_up(base_url, mailbox)
    desk = device(base_url, folder, email=email, name="Front desk")
    tablet = device(base_url, folder, email=email, name="Room tablet")
    try:
        set_up_first(desk)
        pair(desk, tablet)
        yield desk, tablet
    finally:
        desk.close()
        tablet.close()
