"""Fixtures and rules for the whole suite.

Qt runs offscreen unless a test session chose otherwise (the Xvfb tests set their own platform).
Any WARNING or worse logged during a test fails it, as in qutebrowser's logfail: a warning nobody
expected is a bug nobody looked at.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe
from tests.support.keyrings import InMemoryKeyring
from tests.support.live_service import RunningService, run_service, service_environment

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
