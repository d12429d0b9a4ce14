"""The real account service for the app's contract tests: ``sessionclock-service`` in a
subprocess on loopback, on SQLite and on PostgreSQL, mailing through the fake Resend and
billing through the fake Stripe (both real HTTP servers on 127.0.0.1).

Tests here never start Qt (STYLE rule 6): they drive the app's Qt-free client,
``sessionclock.core.account.client.AccountApi``, exactly as the app's workers do.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sessionclock.core.account.client import AccountApi, make_service_client
from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import WEBHOOK_SECRET, FakeStripe
from tests.support.postgres import PostgresCluster, throwaway_cluster
from tests.support.service import mail_env, service_env, start_service, throwaway_secrets

LOGIN_MAX_FAILURES = 3
"""Failed sign-ins an address may have before the service answers 429 (low, for the test)."""


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
    _process: subprocess.Popen[bytes] = field(repr=False)

    def api(self) -> AccountApi:
        """Return the app's client for this service (close it with ``close_api``)."""
        return AccountApi(make_service_client(self.base_url))

    def stop(self) -> None:
        """Stop the service process."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=15)


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
        "SESSIONCLOCK_LOGIN_MAX_ADDRESS_FAILURES": "100000",
    }
    return service_env(database_url, **(settings | extra))


def run_service(env: dict[str, str]) -> RunningService:
    """Start the service with *env* and wait until it answers."""
    process, base = start_service(env)
    return RunningService(base, env["SESSIONCLOCK_DATABASE_URL"], env, process)


@pytest.fixture(scope="session")
def resend() -> Iterator[FakeResend]:
    """The fake Resend every service of the session mails through."""
    fake = FakeResend()
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture(scope="session")
def stripe() -> Iterator[FakeStripe]:
    """The fake Stripe every service of the session bills through."""
    fake = FakeStripe()
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture(scope="session")
def contract_postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for the contract tests."""
    with throwaway_cluster() as cluster:
        yield cluster


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


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    resend: FakeResend,
    stripe: FakeStripe,
) -> Iterator[RunningService]:
    """The real service, once on SQLite and once on PostgreSQL."""
    url = new_database(
        request, request.param, tmp_path_factory.mktemp("service"), "contract_service"
    )
    running = run_service(service_environment(url, resend, stripe))
    yield running
    running.stop()
