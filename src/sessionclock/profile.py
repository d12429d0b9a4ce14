"""The practitioners' profiles on this computer: the database, the key store and the accounts.

A *local account* is a profile in this computer's database: sessions, settings and the sealed
feed address under its own key. A *service account* is the practitioner's account at the
hosted service (e-mail, subscription). Each local account is tied to at most one service
account (``ServiceLink``); one holds a sign-in token in the key store exactly while it is signed
in here. A local account from before accounts existed has no link, and the first sign-in may
adopt it.

No Qt here: ``app.py`` opens the data once the window has painted, and tests open it without a
window. The store and its heavier libraries are imported only when a profile is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sessionclock.core.account.models import LocalAccount, ServiceLink
from sessionclock.core.clock import Clock
from sessionclock.core.errors import DecryptionError
from sessionclock.core.privacy import LocalFacts

if TYPE_CHECKING:
    from sessionclock.core.keystore import KeyStore
    from sessionclock.store.database import Database
    from sessionclock.store.repository import AccountRepository

LAST_SYNC_KEY = "last-sync"
"""The account setting that holds when a calendar sync last ran (ISO 8601)."""


@dataclass
class Profile:
    """An open profile: the database, the key store and the account the clock shows.

    Attributes:
        database: the open database.
        keystore: where the account's key lives.
        account_id: the account on this computer whose sessions are shown.
        repository: that account's repository.
        cleanups: run in reverse order on close (the demo's temporary folder).
        shared: the database belongs to ``LocalData`` (several profiles): close leaves it open.
        demo: a throwaway demo profile (no account, no network).
    """

    database: Database
    keystore: KeyStore
    account_id: str
    repository: AccountRepository
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    shared: bool = False
    demo: bool = False

    def close(self) -> None:
        """Close the database (unless shared) and remove anything temporary."""
        if not self.shared:
            self.database.close()
        for cleanup in reversed(self.cleanups):
            cleanup()


@dataclass
class LocalData:
    """This computer's database and key store: every practitioner's profile on it.

    Attributes:
        database: the open database.
        keystore: the OS key store.
    """

    database: Database
    keystore: KeyStore

    def profile(self, account_id: str) -> Profile:
        """Open the profile of local account *account_id* (the database stays shared)."""
        repository = self.database.repository(account_id, self.keystore)
        return Profile(self.database, self.keystore, account_id, repository, shared=True)

    def accounts(self) -> tuple[LocalAccount, ...]:
        """Return the profiles tied to a service account, by e-mail address.

        A profile whose key is gone from the key store cannot show its address and is left out.
        """
        from sessionclock.core.account.credentials import load_token

        found: list[LocalAccount] = []
        for account_id in sorted(self.database.linked_account_ids()):
            try:
                link = self.database.repository(account_id, self.keystore).service_link()
            except DecryptionError:
                continue
            if link is not None:
                signed_in = load_token(self.keystore, account_id) is not None
                found.append(LocalAccount(account_id, link, signed_in))
        return tuple(sorted(found, key=lambda a: a.link.email))

    def find(self, email: str) -> str | None:
        """Return the local account tied to the service account *email*, if there is one."""
        for account in self.accounts():
            if account.link.email == email:
                return account.account_id
        return None

    def unlinked_with_data(self) -> str | None:
        """Return a local account from before accounts existed that holds sessions, if any."""
        linked = self.database.linked_account_ids()
        for account_id in self.database.account_ids():
            if account_id in linked:
                continue
            if self.database.repository(account_id, self.keystore).stored_span().count:
                return account_id
        return None

    def tie(self, link: ServiceLink, *, adopt: str | None = None) -> str:
        """Return the local account for *link*: the one tied to it, else *adopt* (a profile from
        before accounts), else a new one; tie it to *link*."""
        account_id = self.find(link.email) or adopt or self.database.create_account()
        self.database.repository(account_id, self.keystore).link_service(link)
        return account_id

    def repository(self, account_id: str) -> AccountRepository:
        """Return the repository of local account *account_id*."""
        return self.database.repository(account_id, self.keystore)

    def delete(self, account_id: str) -> None:
        """Delete everything of local account *account_id* here: rows, key and sign-in token."""
        self.database.delete_account(account_id, self.keystore)

    def privacy_facts(self, account_id: str) -> LocalFacts:
        """Return what is stored on this computer for *account_id*, for the privacy page."""
        repository = self.database.repository(account_id, self.keystore)
        return LocalFacts(
            span=repository.stored_span(),
            feed_stored=repository.feed_connected(),
            key_location=self.keystore.location(),
            last_sync=last_sync(repository),
            database=self.database.path,
        )

    def close(self) -> None:
        """Close the database."""
        self.database.close()


def open_local_data(*, data_dir: Path | None, keystore: KeyStore | None = None) -> LocalData:
    """Open this computer's database and the OS key store (or *keystore*: another computer's,
    in tests).

    Raises:
        SessionClockError: the key store or the database cannot be used (the message says why).
    """
    from sessionclock.core.keystore import KeyringKeyStore
    from sessionclock.store.database import Database, default_database_path

    keystore = keystore or KeyringKeyStore()
    keystore.check_available()
    path = (data_dir / "sessionclock.db") if data_dir else default_database_path()
    return LocalData(Database.open(path), keystore)


def open_profile(*, data_dir: Path | None, demo: bool, clock: Clock) -> Profile:
    """Open the practitioner's profile, or a throwaway demo profile filled with a day.

    Raises:
        SessionClockError: the key store or the database cannot be used (the message says why).
    """
    import tempfile

    from sessionclock.core.demo import demo_day
    from sessionclock.core.keystore import KeyringKeyStore, MemoryKeyStore
    from sessionclock.store.database import Database, default_database_path

    cleanups: list[Callable[[], None]] = []
    keystore: KeyStore
    if demo:
        folder = tempfile.TemporaryDirectory(prefix="sessionclock-demo-")
        cleanups.append(folder.cleanup)
        path = Path(folder.name) / "sessionclock.db"
        keystore = MemoryKeyStore()
    else:
        path = (data_dir / "sessionclock.db") if data_dir else default_database_path()
        keystore = KeyringKeyStore()
        keystore.check_available()
    database = Database.open(path)
    accounts = database.account_ids()
    account_id = accounts[0] if accounts else database.create_account()
    repository = database.repository(account_id, keystore, clock=clock)
    if demo:
        for session in demo_day(clock.now()):
            repository.add(session)
    return Profile(database, keystore, account_id, repository, cleanups, demo=demo)


def record_sync(repository: AccountRepository, when: datetime) -> None:
    """Remember that a calendar sync ran at *when* (for the privacy page)."""
    repository.set_setting(LAST_SYNC_KEY, when.isoformat())


def last_sync(repository: AccountRepository) -> datetime | None:
    """Return when a calendar sync last ran, or None."""
    value = repository.get_setting(LAST_SYNC_KEY)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
