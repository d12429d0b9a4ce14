"""The real account service for the app's contract tests: ``sessionclock-service`` in a
subprocess on loopback, on SQLite and on PostgreSQL, mailing through the fake Resend and
billing through the fake Stripe (both real HTTP servers on 127.0.0.1).

Tests here never start Qt (STYLE rule 6): they drive the app's Qt-free client,
``sessionclock.core.account.client.AccountApi``, exactly as the app's workers do.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe
from tests.support.live_service import (
    RunningService,
    new_database,
    run_service,
    service_environment,
)
from tests.support.postgres import PostgresCluster, throwaway_cluster


@pytest.fixture(scope="session")
def contract_postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for the contract tests."""
    with throwaway_cluster() as cluster:
        yield cluster


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
