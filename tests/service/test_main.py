"""The ``sessionclock-service`` command: starts with nothing configured, refuses bad config."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sessionclock_service.__main__ import AccessLogRedactor, main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SESSIONCLOCK_", "STRIPE_", "RESEND_"))
    }
    env["SESSIONCLOCK_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env.update(extra)
    return env


def test_starts_with_nothing_configured(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sessionclock_service", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        answer = None
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=2) as client:
            while time.monotonic() < deadline and answer is None:
                try:
                    answer = client.get("/health")
                except httpx.TransportError:
                    assert proc.poll() is None, "the service exited"
                    time.sleep(0.1)  # waiting for the port to open, not for a result
            assert answer is not None and answer.json() == {"status": "ok"}
            r = client.post(
                "/v1/accounts", json={"email": "cli@example.org", "password": "long enough pw"}
            )
            assert r.status_code == 202
            r = client.post(
                "/v1/tokens",
                json={
                    "email": "cli@example.org",
                    "password": "long enough pw",
                    "device_name": "cli",
                },
            )
            token = r.json()["token"]
            r = client.post("/v1/billing/checkout", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 503
            assert "server" not in r.headers  # no server banner
    finally:
        proc.terminate()
        _out, err = proc.communicate(timeout=15)
    assert (tmp_path / "cli.sqlite3").exists()
    assert b"sct_" not in err  # the token never reached the log


def test_refuses_production_with_placeholders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in _env(tmp_path, SESSIONCLOCK_ENVIRONMENT="production").items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SESSIONCLOCK_SECRET_KEY", raising=False)
    assert main(["--port", "1"]) == 2
    assert "refusing to start" in capsys.readouterr().err


def test_create_staff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _env(
        tmp_path,
        SESSIONCLOCK_STAFF_PASSWORD="staff password long",
        SESSIONCLOCK_BCRYPT_ROUNDS="4",
        SESSIONCLOCK_SECRET_KEY="k" * 40,
        SESSIONCLOCK_PASSWORD_PEPPER="p" * 40,
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
