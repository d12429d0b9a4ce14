"""The ``sessionclock-service`` command: starts with nothing configured, refuses bad config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select

from sessionclock_service.__main__ import main
from sessionclock_service.db.migrate import head_revision
from sessionclock_service.db.models import OutboxEmail
from tests.support.fake_resend import FakeResend
from tests.support.service import (
    mail_env,
    service_env,
    sign_in_status,
    sign_up,
    start_service,
    throwaway_secrets,
)


def test_starts_with_nothing_configured(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    proc, base = start_service(service_env(url), stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=base, timeout=2) as client:
            answer = client.get("/health")
            assert answer.json() == {"status": "ok"}
            assert "server" not in answer.headers  # no server banner
            r = client.post(
                "/v1/accounts", json={"email": "cli@example.org", "password": "long enough pw"}
            )
            assert r.status_code == 202  # its code waits in the outbox until Resend is set up
            assert client.post("/v1/stripe/webhook", content=b"{}").status_code == 503
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=15)
    assert (tmp_path / "cli.sqlite3").exists()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(OutboxEmail)) == 1
    engine.dispose()
    assert b"cli@example.org" not in err  # the address never reached the log


def test_refuses_production_with_placeholders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    for name, value in service_env(url, SESSIONCLOCK_ENVIRONMENT="production").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SESSIONCLOCK_SECRET_KEY", raising=False)
    assert main(["--port", "1"]) == 2
    assert "refusing to start" in capsys.readouterr().err


def test_create_staff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = service_env(
        f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        **throwaway_secrets(),
        SESSIONCLOCK_STAFF_PASSWORD="staff password long",
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["create-staff", "Boss@Example.org"]) == 0
    assert "boss@example.org created" in capsys.readouterr().out


def _command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sessionclock_service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refuses_to_listen_beyond_loopback_with_placeholder_secrets(tmp_path: Path) -> None:
    env = service_env(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    done = _command(env, "--host", "0.0.0.0", "--port", "1")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        "sessionclock-service: refusing to listen on 0.0.0.0 with placeholder secrets: set "
        "SESSIONCLOCK_SECRET_KEY and SESSIONCLOCK_PASSWORD_PEPPER, or listen on 127.0.0.1"
    )
    assert "Traceback" not in done.stderr


def test_create_staff_errors_are_one_line_without_a_hash(tmp_path: Path) -> None:
    env = service_env(
        f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        **throwaway_secrets(),
        SESSIONCLOCK_STAFF_PASSWORD="staff password long",
    )
    assert _command(env, "create-staff", "boss@example.org").returncode == 0
    again = _command(env, "create-staff", "boss@example.org")
    assert (again.returncode, again.stdout) == (1, "")
    assert again.stderr.strip().splitlines()[-1] == (
        "sessionclock-service: A staff account with this e-mail exists."
    )
    for leak in ("Traceback", "$2b$", "INSERT", "staff password long"):
        assert leak not in again.stderr
    bad = _command(env, "create-staff", "not an address")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "sessionclock-service: 'not an address' is not an e-mail address"
    ]
    short = _command({**env, "SESSIONCLOCK_STAFF_PASSWORD": "short"}, "create-staff", "b@x.org")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr


def test_an_unreachable_database_is_one_line_without_its_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://service:s3cret-pw@127.0.0.1:9/accounts?connect_timeout=2"
    done = _command(service_env(url, **throwaway_secrets()), "migrate")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "sessionclock-service: the database cannot be migrated (OperationalError); check "
        "SESSIONCLOCK_DATABASE_URL"
    ]
    assert "s3cret-pw" not in done.stderr


def test_migrate_brings_the_schema_up_and_exits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert _command(service_env(url, **throwaway_secrets()), "migrate").returncode == 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    assert current == head_revision()


def test_json_logs_carry_no_address_of_a_person(tmp_path: Path, fake_resend: FakeResend) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = service_env(
        url, **throwaway_secrets(), **mail_env(fake_resend), SESSIONCLOCK_LOG_FORMAT="json"
    )
    proc, base = start_service(env, stderr=subprocess.PIPE)
    email = "private.person@example.org"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            sign_up(client, fake_resend, email)
            assert sign_in_status(client, email, "a wrong password")[0] == 401
            client.get("/confirm", params={"email": email, "code": "123456"})
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=15)
    lines = [json.loads(line) for line in err.decode().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert {(a["method"], a["path"], a["status"]) for a in access} >= {
        ("POST", "/v1/accounts", 202),
        ("POST", "/v1/tokens", 401),
        ("GET", "/confirm", 200),
    }
    assert all(a["message"].startswith("- - ") for a in access)  # no client address
    assert "private.person" not in err.decode()
