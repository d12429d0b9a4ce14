"""What every account-scoped part of the store shares: one account, its sealer and its sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from sessionclock.core.clock import Clock
from sessionclock.core.crypto import Sealer
from sessionclock.store.engine import writer
from sessionclock.store.failures import storage_errors
from sessionclock.store.sync_rows import Stamps


class AccountScoped:
    """Reads and writes of one account's rows, sealed with that account's key.

    Attributes:
        account_id: the only account this reads or changes.
    """

    def __init__(self, *, engine: Engine, account_id: str, sealer: Sealer, clock: Clock) -> None:
        if sealer.account_id != account_id:
            raise ValueError("the sealer must belong to the same account")
        self.account_id = account_id
        self._engine = engine
        self._sealer = sealer
        self._clock = clock
        self._readers = sessionmaker(engine, expire_on_commit=False)
        self._writers = sessionmaker(writer(engine), expire_on_commit=False)

    @contextmanager
    def _read(self) -> Iterator[OrmSession]:
        with storage_errors(), self._readers() as orm:
            yield orm

    @contextmanager
    def _write(self) -> Iterator[OrmSession]:
        with storage_errors(), self._writers.begin() as orm:
            yield orm

    def _stamps(self, orm: OrmSession) -> Stamps:
        """Return the versions and times this write gives the rows it changes."""
        return Stamps(orm, self.account_id, self._clock.now())
