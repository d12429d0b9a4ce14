"""Fixtures for UI tests: a real store in a temporary folder and a clock that moves on request."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.clock import FixedClock
from sessionclock.core.keystore import MemoryKeyStore
from sessionclock.store.database import Database
from sessionclock.store.repository import AccountRepository

TZ = ZoneInfo("America/Vancouver")


@pytest.fixture
def clock() -> FixedClock:
    """A clock at 09:20 on a weekday in Vancouver."""
    return FixedClock(datetime(2026, 11, 10, 9, 20, tzinfo=TZ))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A real database in a temporary folder."""
    db = Database.open(tmp_path / "sessionclock.db")
    yield db
    db.close()


@pytest.fixture
def repository(database: Database) -> AccountRepository:
    """The repository of a fresh account, sealing with an in-memory key store."""
    return database.repository(database.create_account(), MemoryKeyStore())
