"""The app syncing from hostile booking platforms over real HTTPS on loopback: the clock keeps
ticking while the sync runs and after it, and each sync ends with a plain message.

The platforms are those of the fetcher's own tests (``tests/support/hostile_feeds.py``): stacked
compression, a status line sent one byte at a time, bodies that never end (slowly, or as fast as
they are read), and a whole clinic's calendar of 150,000 events today. Those that answer at once
are held until the test has seen the clock tick while the sync waits for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from sessionclock import app
from sessionclock.core.countdown import ClockState, Phase
from sessionclock.core.models import Session
from sessionclock.profile import open_profile
from tests.support.clocks import RunningClock
from tests.support.desktop import fake_desktop
from tests.support.feed_server import CertificateFiles, FeedServer, Route, RouteHandler, serve
from tests.support.hostile_feeds import (
    busy_today,
    dribble,
    encoded,
    flood,
    stacked_gzip,
    trickle,
)
from tests.support.prompts import ScriptedPrompts

TZ = ZoneInfo("America/Vancouver")
START = datetime(2026, 11, 10, 9, 20, tzinfo=TZ)  # the day of the clinic's 150,000 events
TICKS = 2  # seconds the clock must be seen to tick, during the sync and after it
WAIT_MS = 30_000  # a watchdog far beyond every outcome below

TOO_BUSY = (
    "This calendar has more than 200 events on 2026-11-10, more than one practitioner's day: it "
    "may be a whole clinic's calendar. Copy the calendar address of your own schedule instead; "
    "nothing was imported."
)
NOT_ACCEPTED = (
    "The booking platform sent the calendar in a compressed form Session Clock does not accept, "
    "so it was not imported. Try again later."
)
TOO_LARGE = "The calendar is larger than 20 MB, so it was not imported."
CANCELLED = "The calendar sync was cancelled."


def held(route: Route, go: threading.Event) -> Route:
    """Return *route*, answering only once *go* is set."""

    def answer(handler: RouteHandler, state: FeedServer) -> None:
        if go.wait(WAIT_MS / 1000):
            route(handler, state)

    return answer


@dataclass
class Platform:
    """The hostile booking platform.

    Attributes:
        server: its HTTPS server.
        go: let the held routes answer.
    """

    server: FeedServer
    go: threading.Event


@pytest.fixture
def platform(test_ca: CertificateFiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    """Serve the hostile platform, trusted by the app's own feed client."""
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.ca_file))
    go = threading.Event()
    routes: dict[str, Route] = {
        "/stacked.ics": held(encoded(stacked_gzip(), "gzip, gzip"), go),
        "/flood.ics": held(flood, go),
        "/clinic.ics": held(lambda h, _: h.send(200, busy_today(), "text/calendar"), go),
        "/dribble.ics": dribble,
        "/trickle.ics": trickle,
    }
    for server in serve(test_ca.server_pem, routes):
        yield Platform(server, go)
    go.set()


@dataclass
class Running:
    """The app with the calendar connected, and what it showed and said.

    Attributes:
        application: the app.
        prompts: what it reported.
        states: every clock state it computed, in order.
    """

    application: app.Application
    prompts: ScriptedPrompts
    states: list[ClockState]

    def ticked(self, since: int) -> int:
        """Return how many distinct seconds the clock showed after ``states[since]``."""
        seconds = {int(s.now.timestamp()) for s in self.states[since:]}
        return len(seconds) - 1 if seconds else 0

    def syncing(self) -> bool:
        """Return whether a sync is running and the window says so."""
        flow = self.application.sync_flow
        assert flow is not None
        running = flow.feed_sync.is_running()
        assert self.application.window.schedule.sync_button.text().startswith(
            "Syncing" if running else "Sync from"
        )
        return running


@pytest.fixture
def running(
    qtbot: QtBot, tmp_path: Path, memory_keyring: object
) -> Iterator[Callable[[str], Running]]:
    """Return a function that starts the app with the calendar address it is given connected,
    a session running now, and the clock ticking in real time."""
    built: list[app.Application] = []

    def start(url: str) -> Running:
        clock = RunningClock(START)
        profile = open_profile(data_dir=tmp_path / "profile", demo=False, clock=clock)
        profile.repository.add(Session("Ann Lee", START.replace(minute=0), START.replace(hour=10)))
        profile.repository.set_feed_url(url)
        prompts = ScriptedPrompts()
        application = app.build(
            profile, clock=clock, desktop=fake_desktop(tmp_path), prompts=prompts
        )
        built.append(application)
        qtbot.addWidget(application.window)
        qtbot.addWidget(application.room)
        application.window.show()
        states: list[ClockState] = []
        application.controller.state_changed.connect(states.append)
        return Running(application, prompts, states)

    yield start
    for application in built:
        application.shutdown()


def sync_and_watch(
    qtbot: QtBot, run: Running, platform: Platform, *, end: Callable[[], None]
) -> str:
    """Sync, see the clock tick while the sync waits on the platform, *end* the wait, and return
    the one message the sync ended with, once the clock has ticked after it too."""
    run.application.window.sync_action.trigger()
    qtbot.waitUntil(platform.server.asked.is_set, timeout=WAIT_MS)
    during = len(run.states)
    qtbot.waitUntil(lambda: run.ticked(during) >= TICKS, timeout=WAIT_MS)
    assert run.syncing(), "the clock ticked while the sync was under way"
    assert run.states[-1].phase is Phase.HANDS_ON
    end()
    qtbot.waitUntil(lambda: bool(run.prompts.reports), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not run.syncing(), timeout=WAIT_MS)
    after = len(run.states)
    qtbot.waitUntil(lambda: run.ticked(after) >= TICKS, timeout=WAIT_MS)
    [(title, message, serious)] = run.prompts.reports  # and nothing else came later
    assert (title, serious) == ("Calendar sync", False)
    assert "127.0.0.1" not in message
    countdown = [s.remaining for s in run.states[during:]]
    assert countdown == sorted(countdown, reverse=True) and countdown[0] > countdown[-1]
    return message


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/stacked.ics", NOT_ACCEPTED),
        ("/flood.ics", TOO_LARGE),
        ("/clinic.ics", TOO_BUSY),
    ],
    ids=["stacked gzip", "endless body, fast", "150,000 events today"],
)
def test_the_clock_ticks_while_a_hostile_platform_answers_and_the_sync_says_why_it_stopped(
    qtbot: QtBot,
    running: Callable[[str], Running],
    platform: Platform,
    path: str,
    expected: str,
) -> None:
    run = running(platform.server.base + path)
    assert sync_and_watch(qtbot, run, platform, end=platform.go.set) == expected
    # The status line keeps what happened, short enough to fit on it.
    status = run.application.window.statusBar().currentMessage()
    assert expected.startswith(status) and status.endswith(".") and len(status) < 140


@pytest.mark.parametrize(
    "path", ["/dribble.ics", "/trickle.ics"], ids=["slow headers", "endless body, slow"]
)
def test_the_clock_ticks_while_a_platform_stalls_and_cancel_ends_the_sync_at_once(
    qtbot: QtBot, running: Callable[[str], Running], platform: Platform, path: str
) -> None:
    run = running(platform.server.base + path)

    def press_cancel() -> None:
        progress = run.application.window.findChild(QProgressDialog)
        assert isinstance(progress, QProgressDialog)
        cancel = progress.findChild(QPushButton)
        assert isinstance(cancel, QPushButton) and cancel.text() == "Cancel"
        cancel.click()

    assert sync_and_watch(qtbot, run, platform, end=press_cancel) == CANCELLED
