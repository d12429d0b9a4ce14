"""No client name, calendar address, token, code or password ever reaches the log files.

Each path through the app that writes to the log runs with marker strings in everything it
handles (the feed's names, its address, error messages, an exception's message and local values),
with logging set up as the app sets it up (``core.logs``, at DEBUG, the most it writes). Then every
log file is scanned. Each path must have written something, so a path that stops logging cannot
pass by saying nothing.

A feature that logs adds its path to ``PATHS``: a function that takes the ``Run`` (markers, a real
profile, a clock, the Qt test bot) and drives the app through it. The account calls will come
here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from sessionclock import app
from sessionclock.core.clock import FixedClock
from sessionclock.core.feed.fetch import make_client
from sessionclock.core.logs import LogLevel, configure_logging
from sessionclock.core.preferences import SyncPreferences
from sessionclock.core.sync import changes_for
from sessionclock.profile import Profile, open_profile
from sessionclock.ui.diagnostics import CrashReporter
from sessionclock.ui.sync.sync_flow import SyncFlow
from sessionclock.ui.sync.sync_worker import FeedSync
from tests.support.keyrings import no_key_store
from tests.support.prompts import ScriptedPrompts


@dataclass(frozen=True)
class Markers:
    """Strings that must never be found in a log file."""

    client: str = "Quennell Zarbovic"
    token: str = "qz7XtokenR4nd0mV4lu3"
    code: str = "RC-QZ7M-4KX2"
    password: str = "qz-Passw0rd-Marker"

    @property
    def address(self) -> str:
        return f"https://clinic.janeapp.com/calendar/42/ical/{self.token}.ics"

    def all(self) -> list[str]:
        first, last = self.client.split()
        return [self.client, first, last, self.address, self.token, self.code, self.password]


MARKERS = Markers()


def feed(name: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
        f"SUMMARY:{name}\r\nDTSTART:20261110T170000Z\r\nDTEND:20261110T180000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@dataclass
class Run:
    """What a path gets to work with."""

    markers: Markers
    profile: Profile
    clock: FixedClock
    qtbot: QtBot
    tmp_path: Path

    def flow(self, handler: Callable[[httpx.Request], httpx.Response]) -> SyncFlow:
        """Return a calendar sync on the profile whose feed is answered by *handler*."""
        self.profile.repository.set_feed_url(self.markers.address)
        return SyncFlow(
            store=self.profile.repository,
            clock=self.clock,
            preferences=SyncPreferences(),
            feed_sync=FeedSync(lambda: make_client(transport=httpx.MockTransport(handler))),
            prompts=ScriptedPrompts(),
            confirm=lambda plan: changes_for(plan),
        )

    def sync(self, handler: Callable[[httpx.Request], httpx.Response], *, check: bool) -> None:
        """Run one sync (or background check) to its end."""
        flow = self.flow(handler)
        try:
            with self.qtbot.waitSignal(
                flow.running_changed, timeout=10_000, check_params_cb=lambda on: not on
            ):
                assert flow.check_now() if check else flow.sync_now()
        finally:
            flow.shutdown()


def sync_that_imports_a_client(run: Run) -> None:
    run.sync(lambda request: httpx.Response(200, content=feed(run.markers.client)), check=False)
    stored = run.profile.repository.sessions_between(
        run.clock.now(), run.clock.now().replace(hour=23)
    )
    assert [s.client_name for s in stored] == [run.markers.client]


def check_that_finds_a_change(run: Run) -> None:
    run.sync(lambda request: httpx.Response(200, content=feed(run.markers.client)), check=True)


def sync_refused_by_the_platform(run: Run) -> None:
    body = f"Forbidden: {run.markers.address} for {run.markers.client}".encode()
    run.sync(lambda request: httpx.Response(403, content=body), check=False)


def sync_that_cannot_reach_the_platform(run: Run) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    run.sync(unreachable, check=False)


def sync_of_a_page_that_is_not_a_calendar(run: Run) -> None:
    page = f"<html>Sign in, {run.markers.client} ({run.markers.password})</html>".encode()
    run.sync(lambda request: httpx.Response(200, content=page), check=True)


def unexpected_error_in_the_gui_thread(run: Run) -> None:
    reporter = CrashReporter()
    reporter.install()

    def fail() -> None:
        password = run.markers.password  # noqa: F841 (a local value that must not be logged)
        raise ValueError(f"{run.markers.client} {run.markers.address} {run.markers.code}")

    try:
        with run.qtbot.waitSignal(reporter.crashed, timeout=5000):
            QTimer.singleShot(0, fail)
    finally:
        reporter.uninstall()


def unexpected_error_in_a_worker_thread(run: Run) -> None:
    reporter = CrashReporter()
    reporter.install()

    def work() -> None:
        raise KeyError(f"{run.markers.client}:{run.markers.token}")

    try:
        with run.qtbot.waitSignal(reporter.crashed, timeout=5000):
            worker = threading.Thread(target=work, name="worker")
            worker.start()
            worker.join()
    finally:
        reporter.uninstall()


def app_that_cannot_start(run: Run) -> None:
    # The whole command, on a computer without a key store.
    argv = ["--data-dir", str(run.tmp_path / "refused"), "--log-level", "debug"]
    with no_key_store():
        assert app.main(argv, prompts=ScriptedPrompts()) == 1


PATHS: list[Callable[[Run], None]] = [
    sync_that_imports_a_client,
    check_that_finds_a_change,
    sync_refused_by_the_platform,
    sync_that_cannot_reach_the_platform,
    sync_of_a_page_that_is_not_a_calendar,
    unexpected_error_in_the_gui_thread,
    unexpected_error_in_a_worker_thread,
    app_that_cannot_start,
]


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    """Logging as the app sets it up, at DEBUG, into *tmp_path*/logs."""
    setup = configure_logging(LogLevel.DEBUG, folder=tmp_path / "logs", stream=None)
    yield setup.file.parent
    setup.close()


def logged(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("sessionclock.log*")))


@pytest.mark.allow_warning_logs
@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.__name__)
def test_the_logs_hold_no_client_data(
    path: Callable[[Run], None],
    qtbot: QtBot,
    tmp_path: Path,
    logs: Path,
    memory_keyring: object,
) -> None:
    clock = FixedClock(datetime(2026, 11, 10, 16, tzinfo=UTC))
    profile = open_profile(data_dir=tmp_path / "data", demo=False, clock=clock)
    try:
        path(Run(MARKERS, profile, clock, qtbot, tmp_path))
    finally:
        profile.close()
    text = logged(logs)
    assert text.strip(), f"{path.__name__} wrote nothing to the log"
    if path is app_that_cannot_start:
        text += logged(tmp_path / "refused" / "logs")
    found = [marker for marker in MARKERS.all() if marker.lower() in text.lower()]
    assert found == [], text
