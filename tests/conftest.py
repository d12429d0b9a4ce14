"""Fixtures and rules for the whole suite.

Qt runs offscreen unless a test session chose otherwise (the Xvfb tests set their own platform).
Any WARNING or worse logged during a test fails it, as in qutebrowser's logfail: a warning nobody
expected is a bug nobody looked at.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keyring
import pytest

from sessionclock.core.clock import Clock, SystemClock
from sessionclock.core.cycles import collect_due
from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe
from tests.support.feed_server import CertificateFiles, make_certificates
from tests.support.keyrings import InMemoryKeyring
from tests.support.live_service import RunningService, run_service, service_environment

if TYPE_CHECKING:
    # The app and Qt are loaded only by the tests that use them.
    from tests.support.account_ui import AccountsApp

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Reference cycles are collected between tests, on the main thread, as the app collects them on
# its GUI thread: never in a test's server or worker thread, where freeing a PySide6 wrapper left
# by an earlier test would destroy its Qt object outside the GUI thread and crash the run.
gc.disable()


@pytest.fixture(autouse=True)
def _collect_cycles_between_tests() -> Iterator[None]:
    yield
    collect_due()


class _FailOnWarning(logging.Handler):
    """Collects records at WARNING and above so the test that caused them fails."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def fail_on_warning_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test if it logged a warning it did not ask for (mark: ``allow_warning_logs``)."""
    handler = _FailOnWarning()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("allow_warning_logs") is None:
        messages = "; ".join(f"{r.name}: {r.getMessage()}" for r in handler.records)
        pytest.fail(f"unexpected warning logged: {messages}")


@pytest.fixture
def memory_keyring() -> Iterator[InMemoryKeyring]:
    """Install an in-memory backend as keyring's global backend for one test."""
    previous = keyring.get_keyring()
    backend = InMemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    """Return a test CA and server certificates, written for the module's HTTPS servers."""
    return make_certificates(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def resend() -> Iterator[FakeResend]:
    """The fake Resend every account service of the session mails through."""
    fake = FakeResend()
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture(scope="session")
def stripe() -> Iterator[FakeStripe]:
    """The fake Stripe every account service of the session bills through."""
    fake = FakeStripe()
    fake.server.start()
    yield fake
    fake.server.stop()


@pytest.fixture(scope="session")
def live_service(
    tmp_path_factory: pytest.TempPathFactory, resend: FakeResend, stripe: FakeStripe
) -> Iterator[RunningService]:
    """The real account service on a SQLite file, for the app's own tests."""
    folder = tmp_path_factory.mktemp("live-service")
    running = run_service(
        service_environment(f"sqlite:///{folder / 'service.sqlite3'}", resend, stripe)
    )
    yield running
    running.stop()


@pytest.fixture
def own_service(tmp_path: Path, resend: FakeResend, stripe: FakeStripe) -> Iterator[RunningService]:
    """A service of one test alone, on its own SQLite file: the test may stop and restart it."""
    running = run_service(
        service_environment(f"sqlite:///{tmp_path / 'own-service.sqlite3'}", resend, stripe)
    )
    yield running
    running.stop()


@pytest.fixture
def accounts_service(live_service: RunningService) -> RunningService:
    """The service ``accounts_app`` signs in at (a module may give its own ``own_service``)."""
    return live_service


@pytest.fixture
def accounts_clock() -> Clock:
    """The clock of ``accounts_app`` (a module may give a ``FixedClock``)."""
    return SystemClock(UTC)


@pytest.fixture
def accounts_app(
    qtbot: Any,
    tmp_path: Path,
    memory_keyring: InMemoryKeyring,
    accounts_service: RunningService,
    accounts_clock: Clock,
) -> Iterator[AccountsApp]:
    """The whole app with accounts on an empty data folder, signing in at ``accounts_service``."""
    from tests.support.account_ui import running_app

    with running_app(
        qtbot, service_url=accounts_service.base_url, data=tmp_path / "data", clock=accounts_clock
    ) as started:
        yield started
