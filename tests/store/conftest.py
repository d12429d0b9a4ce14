"""Fixtures for the store tests: a fresh database in tmp_path and an in-memory OS key store.

The key store is the real ``KeyringKeyStore`` over an in-memory keyring backend installed with
``keyring.set_keyring`` (never a plaintext file backend).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.store import AccountRepository, Database
from tests.support.keyrings import InMemoryKeyring


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
