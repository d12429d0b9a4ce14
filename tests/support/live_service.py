"""The real account service run for the app's tests: ``sessionclock-service`` in a subprocess on
loopback, mailing through the fake Resend and billing through the fake Stripe.

``tests/contract`` runs it on SQLite and PostgreSQL; the app's own tests (sign-up, switching,
offline grace, deleting an account) run against it as the practitioner's app would.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import WEBHOOK_SECRET, FakeStripe, sign_webhook, stripe_event
from tests.support.postgres import PostgresCluster
from tests.support.service import mail_env, service_env, start_service, throwaway_secrets

LOGIN_MAX_FAILURES = 3
"""Failed sign-ins an address may have before the service answers 429 (low, for the tests)."""


@dataclass
class RunningService:
    """The service command running on loopback.

    Attributes:
        base_url: where it answers.
        database_url: the database it runs on (tests age tokens there).
        env: the environment it was started with.
    """

    base_url: str
    database_url: str
    env: dict[str, str]
    _process: subprocess.Popen[bytes] | None = field(repr=False)
    log: Path | None = None

    @property
    def port(self) -> int:
        """The loopback port it listens on."""
        port = urlsplit(self.base_url).port
        assert port is not None
        return port

    def stop(self) -> None:
        """Stop the service process (the app then finds no service there)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)

    def restart(self) -> None:
        """Start the service again at the same address, on the same database."""
        self.stop()
        with _log_file(self.log) as stderr:
            self._process, _ = start_service(self.env, port=self.port, stderr=stderr)


def service_environment(
    database_url: str, resend: FakeResend, stripe: FakeStripe, **extra: str
) -> dict[str, str]:
    """Return the environment of a service mailing to *resend* and billing at *stripe*."""
    settings = {
        **throwaway_secrets(),
        **mail_env(resend),
        "STRIPE_API_KEY": "sk_test_fake",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_PRICE_ID": "price_monthly",
        "STRIPE_API_BASE": stripe.server.base_url,
        "SESSIONCLOCK_LOGIN_MAX_FAILURES": str(LOGIN_MAX_FAILURES),
        # Every test reaches the service from 127.0.0.1: the allowances of one client address
        # would otherwise be spent by the tests before them.
        "SESSIONCLOCK_LOGIN_MAX_ADDRESS_FAILURES": "100000",
        "SESSIONCLOCK_HASH_MAX_PER_ADDRESS": "100000",
        "SESSIONCLOCK_MAIL_MAX_PER_ADDRESS": "100000",
    }
    return service_env(database_url, **(settings | extra))


def run_service(env: dict[str, str], *, log: Path | None = None) -> RunningService:
    """Start the service with *env* and wait until it answers (its log appended to *log*)."""
    with _log_file(log) as stderr:
        process, base = start_service(env, stderr=stderr)
    return RunningService(base, env["SESSIONCLOCK_DATABASE_URL"], env, process, log)


@contextmanager
def _log_file(path: Path | None) -> Iterator[int | IO[bytes]]:
    if path is None:
        yield subprocess.DEVNULL
        return
    with path.open("ab") as file:  # the child process keeps its own handle
        yield file


def new_database(request: pytest.FixtureRequest, kind: str, folder: Path, name: str) -> str:
    """Return the URL of an empty database of *kind* (the service migrates it at start)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / f'{name}.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("contract_postgres")
    engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return cluster.url(name)


def customer_of(stripe: FakeStripe, email: str) -> str:
    """Return the Stripe customer the service made for *email* at Checkout."""
    [customer] = [cid for cid, c in stripe.customers.items() if c.get("email") == email]
    return customer


def complete_checkout(
    service: RunningService, stripe: FakeStripe, *, email: str, period_end: datetime
) -> None:
    """Do what Stripe does when the practitioner pays: the subscription, then the webhook."""
    customer = customer_of(stripe, email)
    subscription = stripe.put_subscription(
        customer=customer, status="active", period_end=period_end
    )
    payload = stripe_event(
        "checkout.session.completed",
        {
            "id": f"cs_{subscription}",
            "object": "checkout.session",
            "customer": customer,
            "subscription": subscription,
        },
    )
    answer = httpx.post(
        f"{service.base_url}/v1/stripe/webhook",
        content=payload.encode(),
        headers={"Stripe-Signature": sign_webhook(payload), "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
