"""Helpers for driving the account service in tests, benchmarks and renders.

A clock the test moves by hand, customers that sign up and in over HTTP, and the real
``sessionclock-service`` command started as a subprocess on a loopback port.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any, Protocol

import httpx
from fastapi.testclient import TestClient

from sessionclock_service.settings import Settings
from sessionclock_service.usecases.services import Services
from tests.support.fake_resend import FakeResend, SentEmail

PASSWORD = "correct horse battery staple"


@dataclass
class MutableClock:
    """A clock the test moves by hand; starts at the real time (Stripe signatures use it).

    Attributes:
        current: The time `now` returns.
    """

    current: datetime = field(default_factory=lambda: datetime.fromtimestamp(time.time(), UTC))

    def now(self) -> datetime:
        """Return the current test time."""
        return self.current

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self.current += delta


class HttpResponse(Protocol):
    """The part of an HTTP response the helpers use."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        ...

    @property
    def text(self) -> str:
        """The body as text."""
        ...

    def json(self) -> Any:
        """The body as JSON."""
        ...


class HttpClient(Protocol):
    """The part of an httpx client or a Starlette test client that the helpers use."""

    def post(self, url: str, *, json: Any = None) -> HttpResponse:
        """Send a POST with a JSON body."""
        ...


_emails = itertools.count(1)


def new_email() -> str:
    """Return a fresh e-mail address."""
    return f"practitioner{next(_emails)}@example.org"


@dataclass
class Customer:
    """A signed-up, signed-in customer.

    Attributes:
        email: The account's address.
        password: Its password.
        token: The API token of its sign-in.
        token_id: That token's public id.
    """

    email: str
    password: str
    token: str
    token_id: str

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of its token."""
        return {"Authorization": f"Bearer {self.token}"}


class Mailbox(Protocol):
    """Where the service's messages arrive in tests: the fake Resend."""

    @property
    def sent(self) -> list[SentEmail]:
        """Every message accepted, oldest first."""
        ...


def mailed_code(
    mailbox: Mailbox, email: str, *, kind: str = "confirmation", deadline_seconds: float = 10
) -> str:
    """Return the code of the latest ``kind`` message (confirmation or reset) sent to *email*.

    A service in another process sends after answering, so the message may still be on its
    way: the mailbox is polled until the deadline.
    """
    pattern = re.compile(rf"Your {kind} code is: (\d{{6}})")
    deadline = time.monotonic() + deadline_seconds
    while True:
        for message in reversed(mailbox.sent):
            found = pattern.search(message.payload["text"])
            if message.payload["to"] == [email] and found is not None:
                return found.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind} code was mailed to {email}")
        time.sleep(0.02)  # polling the mailbox, not waiting for a result


def mail_env(mailbox: FakeResend) -> dict[str, str]:
    """Return the settings that send a service's mail to *mailbox*."""
    return {"RESEND_API_KEY": "re_test_fake", "RESEND_BASE_URL": mailbox.server.base_url}


def sign_up(client: HttpClient, mailbox: Mailbox, email: str, password: str = PASSWORD) -> None:
    """Sign up *email* and confirm it with the code the service mailed."""
    r = client.post("/v1/accounts", json={"email": email, "password": password})
    assert r.status_code == 202, r.text
    code = mailed_code(mailbox, email)
    r = client.post("/v1/accounts/confirm", json={"email": email, "code": code})
    assert r.status_code == 204, r.text


def sign_up_and_in(client: HttpClient, mailbox: Mailbox, email: str | None = None) -> Customer:
    """Create an account (confirmed through the mailed code) and sign it in."""
    email = email or new_email()
    sign_up(client, mailbox, email)
    r = client.post(
        "/v1/tokens", json={"email": email, "password": PASSWORD, "device_name": "Front desk"}
    )
    assert r.status_code == 201, r.text
    return Customer(
        email=email, password=PASSWORD, token=r.json()["token"], token_id=r.json()["id"]
    )


def settings_from(**values: Any) -> Settings:
    """Build settings from the defaults and *values* alone, whatever the environment holds.

    Every field is given, so pydantic-settings has nothing left to read from the environment.
    """
    defaults = {name: field.default for name, field in Settings.model_fields.items()}
    return Settings(**(defaults | values))


def services_of(client: TestClient) -> Services:
    """Return the services the app of a test client runs on."""
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services


def sign_in_status(
    client: HttpClient, email: str, password: str = PASSWORD
) -> tuple[int, dict[str, str]]:
    """Sign in through ``POST /v1/tokens``; return the status and the body."""
    r = client.post(
        "/v1/tokens", json={"email": email, "password": password, "device_name": "Tablet"}
    )
    body: dict[str, str] = r.json()
    return r.status_code, body


# -- the real command ------------------------------------------------------------------------


def free_port() -> int:
    """Return a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def service_env(database_url: str, **extra: str) -> dict[str, str]:
    """Return this process's environment without any service setting, then *database_url*.

    Args:
        database_url: The database the service runs on.
        extra: More variables, e.g. ``SESSIONCLOCK_BCRYPT_ROUNDS="4"``.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SESSIONCLOCK_", "STRIPE_", "RESEND_"))
    }
    env["SESSIONCLOCK_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def throwaway_secrets(*, bcrypt_rounds: int = 4) -> dict[str, str]:
    """Return settings for a local run: throwaway secrets and a bcrypt cost (low by default)."""
    return {
        "SESSIONCLOCK_BCRYPT_ROUNDS": str(bcrypt_rounds),
        "SESSIONCLOCK_SECRET_KEY": "b" * 40,
        "SESSIONCLOCK_PASSWORD_PEPPER": "p" * 40,
    }


def start_service(
    env: Mapping[str, str],
    *,
    workers: int = 1,
    stderr: int | IO[bytes] = subprocess.DEVNULL,
    deadline_seconds: float = 60,
    port: int | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``sessionclock-service`` with *env*, wait for ``/health``; return it and its address.

    Args:
        env: The whole environment of the service (see `service_env`).
        workers: uvicorn worker processes.
        stderr: Where its log goes; ``subprocess.PIPE`` only for short runs that read it after.
        deadline_seconds: How long it may take to answer.
        port: The loopback port to listen on (default: a free one).

    Raises:
        RuntimeError: The service exited or did not answer before the deadline.
    """
    port = port or free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sessionclock_service",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + deadline_seconds
    with httpx.Client(base_url=base, timeout=2) as client:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if client.get("/health").status_code == 200:
                    return proc, base
            except httpx.TransportError:
                time.sleep(0.1)  # waiting for the port to open, not for a result
    proc.kill()
    proc.wait(timeout=15)
    raise RuntimeError(f"the service did not start (exit status {proc.returncode})")
