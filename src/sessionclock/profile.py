"""The practitioner's profile on this computer: the database, the key store and the account.

No Qt here: ``app.py`` opens the profile once the window has painted, and tests open one without
a window. The store and its heavier libraries are imported only when a profile is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sessionclock.core.clock import Clock
from sessionclock.core.preferences import Preferences

if TYPE_CHECKING:
    from sessionclock.core.keystore import KeyStore
    from sessionclock.store.database import Database
    from sessionclock.store.repository import AccountRepository

PREFERENCES_KEY = "preferences"
"""The account setting that holds the practitioner's ``Preferences`` as JSON."""


@dataclass
class Profile:
    """An open profile: the database, the key store and the account the clock shows.

    Attributes:
        database: the open database.
        keystore: where the account's key lives.
        account_id: the account on this computer whose sessions are shown.
        repository: that account's repository.
        cleanups: run in reverse order on close (the demo's temporary folder).
    """

    database: Database
    keystore: KeyStore
    account_id: str
    repository: AccountRepository
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Close the database and remove anything temporary."""
        self.database.close()
        for cleanup in reversed(self.cleanups):
            cleanup()


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
    repository = database.repository(account_id, keystore)
    if demo:
        for session in demo_day(clock.now()):
            repository.add(session)
    return Profile(database, keystore, account_id, repository, cleanups)


def load_preferences(repository: AccountRepository) -> Preferences:
    """Return the account's preferences (defaults where none are stored)."""
    return Preferences.from_json(repository.get_setting(PREFERENCES_KEY))


def save_preferences(repository: AccountRepository, preferences: Preferences) -> None:
    """Store the account's preferences.

    Raises:
        SessionClockError: the store refused (the message says why).
    """
    repository.set_setting(PREFERENCES_KEY, preferences.to_json())
