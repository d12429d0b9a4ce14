"""Pure reads leave SQLite's write lock free, on the admin pages and the entitlement route.

While a request runs, a hook on the service's engine stops after each statement the request
executes and asks a separate connection for the write lock (``BEGIN IMMEDIATE`` with no busy
timeout). The request's transaction is open at that moment, so the answer says exactly whether
that transaction holds the lock: never while it only reads, always once it writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event

from tests.support.admin import account_id_of
from tests.support.service import Customer, services_of
from tests.support.sqlite import write_lock_is_free

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass
class Probe:
    """After each statement, whether another connection could take the write lock.

    Attributes:
        path: The SQLite file.
        seen: Each statement run, whether its transaction was open, whether the lock was free.
    """

    path: Path
    seen: list[tuple[str, bool, bool]] = field(default_factory=list)

    def after_execute(
        self,
        conn: Connection,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        """Ask for the write lock while the request's transaction is still open."""
        self.seen.append((statement, conn.in_transaction(), write_lock_is_free(self.path)))

    def reads(self, table: str) -> list[tuple[str, bool, bool]]:
        """The SELECTs on *table* seen so far."""
        return [s for s in self.seen if s[0].startswith("SELECT") and f"FROM {table}" in s[0]]


@pytest.fixture
def probe(client: TestClient, clean_database: str) -> Iterator[Probe]:
    """A probe on the engine of the app of ``client``."""
    engine = services_of(client).db.engine
    probe = Probe(Path(clean_database.removeprefix("sqlite:///")))
    event.listen(engine, "after_cursor_execute", probe.after_execute)
    yield probe
    event.remove(engine, "after_cursor_execute", probe.after_execute)


def test_the_entitlement_route_reads_without_the_write_lock(
    client: TestClient, customer: Customer, probe: Probe
) -> None:
    r = client.get("/v1/entitlement", headers=customer.headers)
    assert r.status_code == 200
    reads = probe.reads("api_tokens") + probe.reads("accounts")
    assert len(reads) == 2
    assert all(in_transaction for _, in_transaction, _ in reads)
    assert [s for s, _, free in probe.seen if not free] == []


def test_the_audit_page_reads_without_the_write_lock(staff: TestClient, probe: Probe) -> None:
    r = staff.get("/admin/audit")
    assert r.status_code == 200 and "sign_in" in r.text
    reads = probe.reads("staff_sessions") + probe.reads("audit_log")
    assert len(reads) == 2
    assert all(in_transaction for _, in_transaction, _ in reads)
    assert [s for s, _, free in probe.seen if not free] == []


def test_an_account_page_reads_free_and_takes_the_lock_only_to_audit(
    staff: TestClient, customer: Customer, probe: Probe
) -> None:
    account_id = account_id_of(staff, customer.email)
    probe.seen.clear()
    r = staff.get(f"/admin/accounts/{account_id}")
    assert r.status_code == 200 and customer.email in r.text
    reads = probe.reads("staff_sessions") + probe.reads("accounts")
    assert len(reads) == 2
    assert all(in_transaction and free for _, in_transaction, free in reads)
    # The audit line is a write: only there is the lock held (and the probe does see it held).
    held = [statement.split(" (")[0] for statement, _, free in probe.seen if not free]
    assert held == ["BEGIN IMMEDIATE", "INSERT INTO audit_log"]
