"""Open the local database, migrate it, and manage the accounts it holds.

Usage::

    db = Database.open(default_database_path())
    account_id = db.account_ids()[0] if db.account_ids() else db.create_account()
    repo = db.repository(account_id, KeyringKeyStore())
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from platformdirs import user_data_path
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import sessionmaker

from sessionclock.core.account.credentials import delete_token
from sessionclock.core.clock import Clock, SystemClock
from sessionclock.core.crypto import Sealer, delete_key
from sessionclock.core.devices.keys import forget_sync_keys
from sessionclock.core.errors import NotFoundError
from sessionclock.core.keystore import KeyStore
from sessionclock.store.engine import checkpoint_wal, make_engine, writer
from sessionclock.store.failures import storage_errors
from sessionclock.store.repository import AccountRepository
from sessionclock.store.sync_records import SyncRecords

if TYPE_CHECKING:
    from alembic.config import Config

from sessionclock.store.tables import (
    AccountRow,
    FeedSourceRow,
    FiredReminderRow,
    ServiceLinkRow,
    SessionRow,
    SettingRow,
    SyncRecordRow,
    SyncStateRow,
)

APP_NAME = "SessionClock"
DATABASE_FILENAME = "sessionclock.db"
MIGRATIONS_PATH = Path(__file__).with_name("migrations")


def default_database_path() -> Path:
    """Return where the database lives: the platform's per-user data folder."""
    return user_data_path(APP_NAME, appauthor=False) / DATABASE_FILENAME


SCHEMA_REVISION = "0003"
"""The newest migration's revision; a test checks it against the migration scripts."""


def alembic_config() -> Config:
    """Return an Alembic configuration built in code (no alembic.ini is needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_PATH))
    return config


class Database:
    """The local SQLite database with every account on this computer.

    Create it with ``Database.open``. It is safe to share between threads: each call, and each
    ``AccountRepository`` call, uses its own SQLAlchemy session.

    Attributes:
        path: the database file.
        engine: the SQLAlchemy engine (for diagnostics and tests; use the methods instead).
    """

    def __init__(self, *, path: Path, engine: Engine) -> None:
        """Wrap an engine whose schema is already at head; use ``Database.open`` instead."""
        self.path = path
        self.engine = engine
        self._readers = sessionmaker(engine, expire_on_commit=False)
        self._writers = sessionmaker(writer(engine), expire_on_commit=False)

    @classmethod
    def open(cls, path: Path) -> Database:
        """Open (creating if needed) the database at *path* and migrate it to the newest schema.

        Raises:
            StorageError: the folder or file cannot be created, opened or written.
        """
        with storage_errors():
            _make_private(path)
        engine = make_engine(path)
        try:
            with storage_errors():
                # Alembic takes a tenth of a second to import: only when there is work for it.
                if schema_revision(engine) != SCHEMA_REVISION:
                    upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(path=path, engine=engine)

    def close(self) -> None:
        """Close every pooled connection; the object must not be used afterwards."""
        self.engine.dispose()

    def create_account(self) -> str:
        """Create an account and return its id (a random UUID)."""
        account_id = str(uuid.uuid4())
        with storage_errors(), self._writers.begin() as session:
            session.add(AccountRow(id=account_id))
        return account_id

    def account_ids(self) -> tuple[str, ...]:
        """Return the ids of every account, sorted."""
        with storage_errors(), self._readers() as session:
            return tuple(session.scalars(select(AccountRow.id).order_by(AccountRow.id)))

    def repository(
        self, account_id: str, keystore: KeyStore, *, clock: Clock | None = None
    ) -> AccountRepository:
        """Return the repository of *account_id*, sealing with its key in *keystore*.

        Args:
            account_id: the local account.
            keystore: where its key lives.
            clock: what versions its changes (default: the computer's clock).

        Raises:
            NotFoundError: there is no such account.
        """
        if account_id not in self.account_ids():
            raise NotFoundError("This profile does not exist on this computer.")
        return AccountRepository(
            engine=self.engine,
            account_id=account_id,
            sealer=Sealer(keystore, account_id),
            clock=clock or SystemClock(),
        )

    def sync_records(
        self, account_id: str, keystore: KeyStore, *, clock: Clock | None = None
    ) -> SyncRecords:
        """Return *account_id*'s records for syncing between devices.

        Raises:
            NotFoundError: there is no such account.
        """
        if account_id not in self.account_ids():
            raise NotFoundError("This profile does not exist on this computer.")
        return SyncRecords(
            engine=self.engine,
            account_id=account_id,
            sealer=Sealer(keystore, account_id),
            clock=clock or SystemClock(),
        )

    def linked_account_ids(self) -> frozenset[str]:
        """Return the local accounts tied to an account at the service."""
        with storage_errors(), self._readers() as session:
            return frozenset(session.scalars(select(ServiceLinkRow.account_id)))

    def delete_account(self, account_id: str, keystore: KeyStore) -> None:
        """Delete every row of *account_id*, then its keys and its sign-in token, then scrub the
        WAL.

        Deleting an account that no longer exists still deletes its key and token, so a deletion
        that failed half-way can simply be repeated.
        """
        tables = (
            FiredReminderRow,
            SessionRow,
            SettingRow,
            FeedSourceRow,
            ServiceLinkRow,
            SyncRecordRow,
            SyncStateRow,
        )
        with storage_errors(), self._writers.begin() as session:
            for table in tables:
                session.execute(delete(table).where(table.account_id == account_id))
            session.execute(delete(AccountRow).where(AccountRow.id == account_id))
        delete_key(keystore, account_id)
        delete_token(keystore, account_id)
        forget_sync_keys(keystore, account_id)
        with storage_errors():
            checkpoint_wal(self.engine)


def _make_private(path: Path) -> None:
    """Create the data folder and the database file readable by this user only (POSIX).

    The file is made (empty, mode 0600) before SQLite opens it, because SQLite gives the ``-wal``
    and ``-shm`` files it creates the database file's permissions; files left by an older version
    are tightened too.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name != "posix":
        return  # the per-user data folder of Windows is private to its user already
    path.parent.chmod(0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for suffix in ("", "-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.is_file():
            companion.chmod(0o600)


def schema_revision(engine: Engine) -> str | None:
    """Return the database's migration revision, or None for a new (or pre-migration) file."""
    with engine.connect() as connection:
        has_table = connection.execute(
            text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'")
        ).first()
        if has_table is None:
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind *engine* to *revision* (default: the newest)."""
    from alembic import command

    config = alembic_config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database behind *engine* down to *revision* (``"base"``: empty)."""
    from alembic import command

    config = alembic_config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
