"""scripts/service_backup.py against the test cluster: dump, drop, restore, verify, serve again."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sessionclock_service.db.migrate import upgrade
from tests.support.fake_resend import FakeResend
from tests.support.postgres import PostgresCluster
from tests.support.service import services_of, sign_in_status, sign_up_and_in

pytestmark = pytest.mark.postgres

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "service_backup.py"


def _script(cluster: PostgresCluster, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--pg-bin", cluster.bindir],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_backup_restores_into_a_working_service(
    postgres_cluster: PostgresCluster,
    new_postgres_database: Callable[[str], str],
    client_for: Callable[..., TestClient],
    fake_resend: FakeResend,
    tmp_path: Path,
) -> None:
    url = new_postgres_database("backup")
    upgrade(url)
    client = client_for(url)
    customers = [sign_up_and_in(client, fake_resend) for _ in range(3)]
    archive = tmp_path / "accounts.dump"

    made = _script(postgres_cluster, "backup", url, str(archive))
    assert made.returncode == 0, made.stderr
    assert "at schema" in made.stdout and archive.stat().st_size > 0
    services_of(client).db.dispose()  # the service lets go of its database first

    admin = create_engine(postgres_cluster.url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        database = make_url(url).database
        conn.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
    admin.dispose()

    restored = _script(postgres_cluster, "restore", url, str(archive))
    assert restored.returncode == 0, restored.stderr
    assert _script(postgres_cluster, "verify", url, str(archive)).returncode == 0
    again = client_for(url)
    for customer in customers:
        assert again.get("/v1/account", headers=customer.headers).status_code == 200
        assert sign_in_status(again, customer.email)[0] == 201

    # A restore never lands on a database that has tables, and a changed archive is refused.
    refused = _script(postgres_cluster, "restore", url, str(archive))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"service_backup.py: the database {database!r} is not empty: restore into a new one"
    ]
    with archive.open("ab") as damaged:
        damaged.write(b"\0")
    other = new_postgres_database("elsewhere")
    broken = _script(postgres_cluster, "restore", other, str(archive))
    assert broken.returncode == 1 and "does not match its manifest" in broken.stderr
    # After more sign-ins the database no longer matches the backup, and verify says so.
    sign_up_and_in(again, fake_resend)
    drifted = _script(postgres_cluster, "verify", url, str(archive))
    assert drifted.returncode == 1 and "row counts differ" in drifted.stderr
