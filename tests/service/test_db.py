"""SQLite transactions: writers take the lock up front, readers never wait for it."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select, text

from sessionclock_service.db import make_engine, make_read_sessionmaker, make_sessionmaker
from sessionclock_service.migrate import upgrade
from sessionclock_service.models import Account


def test_readers_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locks.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        writers, readers = make_sessionmaker(engine), make_read_sessionmaker(engine)
        with writers() as writer, writer.begin():
            writer.execute(text("DELETE FROM accounts"))  # holds the write lock now
            started = time.monotonic()
            with readers() as reader:
                assert reader.scalars(select(Account)).all() == []
            assert time.monotonic() - started < 1
    finally:
        engine.dispose()
