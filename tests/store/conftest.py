"""Fixtures for the store tests: a fresh database in tmp_path and an in-memory OS key store.

The key store is the real ``KeyringKeyStore`` over an in-memory keyring backend installed with
``keyring.set_keyring`` (never a plaintext file backend).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.store import AccountRepository, Database


class InMemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict."""

    priority: float = 5

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


@pytest.fixture
def memory_keyring() -> Iterator[InMemoryKeyring]:
    """Install an in-memory keyring backend for one test, then restore the previous one."""
    previous = keyring.get_keyring()
    backend = InMemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def keystore(memory_keyring: InMemoryKeyring) -> KeyringKeyStore:
    """The OS key store as the app uses it, over the in-memory backend."""
    return KeyringKeyStore()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "profile" / "sessionclock.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database.open(db_path)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def repo(db: Database, keystore: KeyringKeyStore) -> AccountRepository:
    return db.repository(db.create_account(), keystore)
