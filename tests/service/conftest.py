"""Fixtures of the service tests: both databases, a fake Stripe and a fake Resend on loopback.

Every test that asks for ``client`` (or ``database_url``) runs twice: on a SQLite file and on a
throwaway PostgreSQL cluster started with ``initdb``/``pg_ctl`` (marked ``postgres``). The fakes
are real HTTP servers on 127.0.0.1, so the real ``stripe`` library and the real httpx sender are
exercised over the network.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import bcrypt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, text

from sessionclock_service.app import create_app
from sessionclock_service.db.migrate import upgrade
from sessionclock_service.db.models import Base
from sessionclock_service.settings import Settings
from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import WEBHOOK_SECRET, FakeStripe
from tests.support.postgres import PostgresCluster, postgres_bindir
from tests.support.service import Customer, MutableClock, settings_from, sign_up_and_in


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """Start one PostgreSQL cluster for the session (CI must have it: fail loudly there)."""
    bindir = postgres_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries (/usr/lib/postgresql/*/bin) are missing in CI")
        pytest.skip("PostgreSQL is not installed here")
    cluster = PostgresCluster(bindir)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the URL of a migrated database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'service.sqlite3'}"
    else:
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        engine = create_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE sessionclock_test"))
        engine.dispose()
        url = cluster.url("sessionclock_test")
    upgrade(url)
    return url


@pytest.fixture
def new_postgres_database(
    postgres_cluster: PostgresCluster,
) -> Iterator[Callable[[str], str]]:
    """Return a maker of new, empty PostgreSQL databases (dropped after the test)."""
    made: list[str] = []
    admin = create_engine(postgres_cluster.url(), isolation_level="AUTOCOMMIT")

    def make(name: str) -> str:
        database = f"{name}_{len(made)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        made.append(database)
        return postgres_cluster.url(database)

    yield make
    with admin.connect() as conn:
        for database in made:
            conn.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def clean_database(database_url: str) -> str:
    """Empty every table before the test."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    engine.dispose()
    return database_url


@pytest.fixture(scope="session")
def _stripe_server() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture
def fake_stripe(_stripe_server: FakeStripe) -> FakeStripe:
    """The fake Stripe, emptied for this test."""
    _stripe_server.reset()
    return _stripe_server


@pytest.fixture(scope="session")
def _resend_server() -> Iterator[FakeResend]:
    fake = FakeResend()
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture
def fake_resend(_resend_server: FakeResend) -> FakeResend:
    """The fake Resend, emptied for this test."""
    _resend_server.reset()
    return _resend_server


# -- the app ---------------------------------------------------------------------------------


@pytest.fixture
def clock() -> MutableClock:
    """The test's clock."""
    return MutableClock()


AppFactory = Callable[..., FastAPI]


@pytest.fixture
def settings_for(fake_stripe: FakeStripe, fake_resend: FakeResend) -> Callable[..., Settings]:
    """Return a builder of test settings for a database (low bcrypt cost, fakes on loopback)."""

    def build(database_url: str, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": database_url,
            "secret_key": "test-secret-key-" + "k" * 32,
            "password_pepper": "test-pepper-" + "p" * 32,
            "bcrypt_rounds": 4,
            "stripe_api_key": "sk_test_fake",
            "stripe_webhook_secret": WEBHOOK_SECRET,
            "stripe_price_id": "price_monthly",
            "stripe_api_base": fake_stripe.server.base_url,
            "resend_api_key": "re_test_fake",
            "resend_base_url": fake_resend.server.base_url,
            "outbox_interval_seconds": 0,
            # Starlette's test client says it is "testserver".
            "allowed_hosts": ["testserver", "127.0.0.1"],
            # Every request of a test comes from one address within one minute of its clock:
            # the tests of these allowances set them low themselves.
            "hash_max_per_address": 10_000,
            "hash_max_per_target": 1_000,
            "mail_max_per_address": 10_000,
        }
        values.update(overrides)
        return settings_from(**values)

    return build


@pytest.fixture
def make_settings(
    clean_database: str, settings_for: Callable[..., Settings]
) -> Callable[..., Settings]:
    """Return a builder of test settings on the emptied database of the test."""

    def build(**overrides: Any) -> Settings:
        return settings_for(overrides.pop("database_url", clean_database), **overrides)

    return build


@pytest.fixture
def client_for(
    settings_for: Callable[..., Settings], clock: MutableClock
) -> Iterator[Callable[..., TestClient]]:
    """Return a builder of started test clients of a database; all are closed after the test."""
    opened: list[TestClient] = []

    def build(database_url: str, **overrides: Any) -> TestClient:
        app = create_app(settings_for(database_url, **overrides), clock=clock)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def make_client(
    clean_database: str, client_for: Callable[..., TestClient]
) -> Callable[..., TestClient]:
    """Return a builder of started test clients on the emptied database of the test."""

    def build(**overrides: Any) -> TestClient:
        return client_for(overrides.pop("database_url", clean_database), **overrides)

    return build


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A client of the service with Stripe and Resend configured (pointing at the fakes)."""
    return make_client()


@pytest.fixture
def customer(client: TestClient, fake_resend: FakeResend) -> Customer:
    """A signed-in customer of ``client``; the fake Resend is emptied of its sign-up code."""
    signed_in = sign_up_and_in(client, fake_resend)
    fake_resend.reset()
    return signed_in


# -- counting bcrypt's work ------------------------------------------------------------------


@pytest.fixture
def bcrypt_hashes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every password bcrypt hashes from now on, from any thread (checks are not hashes)."""
    seen: list[bytes] = []
    lock = threading.Lock()
    real = bcrypt.hashpw

    def counting(password: bytes, salt: bytes) -> bytes:
        with lock:
            seen.append(password)
        return real(password, salt)

    monkeypatch.setattr(bcrypt, "hashpw", counting)
    return seen


@pytest.fixture
def bcrypt_checks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every stored hash bcrypt checks a password against from now on, from any thread."""
    seen: list[bytes] = []
    lock = threading.Lock()
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        with lock:
            seen.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    return seen
