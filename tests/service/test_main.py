"""The ``sessionclock-service`` command: starts with nothing configured, refuses bad config."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from sessionclock_service.__main__ import AccessLogRedactor, main
from sessionclock_service.db.models import OutboxEmail
from tests.support.service import service_env, start_service, throwaway_secrets


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


def test_access_log_lines_lose_their_query() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/admin?q=someone%40example.org", "1.1", 200),
        None,
    )
    assert AccessLogRedactor().filter(record)
    assert "someone" not in record.getMessage()
    assert "/admin" in record.getMessage()
