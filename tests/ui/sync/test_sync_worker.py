"""The sync worker fetches and imports off the GUI thread and always finishes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from pytestqt.qtbot import QtBot

from sessionclock.core.feed.fetch import make_client
from sessionclock.core.feed.importer import ImportResult
from sessionclock.ui.sync.sync_worker import FeedSync
from tests.support.feed_server import CertificateFiles, FeedServer, serve
from tests.support.hostile_feeds import dribble, trickle
from tests.support.slow_feed import Stall, slow_feed

TZ = ZoneInfo("America/New_York")
WINDOW = (datetime(2026, 11, 9, tzinfo=TZ), datetime(2026, 11, 25, tzinfo=TZ))
FEED = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
SUMMARY:Ann Lee\r
DTSTART:20261110T140000Z\r
DTEND:20261110T150000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""
URL = "webcal://clinic.example/calendar/secret.ics"


def factory(handler: Callable[[httpx.Request], httpx.Response]) -> Callable[[], httpx.Client]:
    return lambda: make_client(transport=httpx.MockTransport(handler))


def test_fetched_carries_the_sessions_and_the_gui_thread_stays_free(qtbot: QtBot) -> None:
    threads: list[threading.Thread] = []

    def handler(request: httpx.Request) -> httpx.Response:
        threads.append(threading.current_thread())
        assert request.url.scheme == "https"
        return httpx.Response(200, content=FEED)

    sync = FeedSync(factory(handler))
    with (
        qtbot.waitSignal(sync.fetched, timeout=5000) as blocker,
        qtbot.assertNotEmitted(sync.failed),
        qtbot.waitSignal(sync.finished, timeout=5000),
    ):
        assert sync.start(url=URL, tz=TZ, window=WINDOW)
        assert sync.is_running()
        assert not sync.start(url=URL, tz=TZ, window=WINDOW)  # one at a time
    result: ImportResult = blocker.args[0]
    assert [(s.name, s.start) for s in result.sessions] == [
        ("Ann Lee", datetime(2026, 11, 10, 14, tzinfo=UTC))
    ]
    assert threads and threads[0] is not threading.main_thread()
    assert not sync.is_running()


def test_a_404_fails_with_a_clear_message(qtbot: QtBot) -> None:
    sync = FeedSync(factory(lambda request: httpx.Response(404)))
    with (
        qtbot.waitSignal(sync.failed, timeout=5000) as blocker,
        qtbot.assertNotEmitted(sync.fetched),
    ):
        sync.start(url=URL, tz=TZ, window=WINDOW)
    message = blocker.args[0]
    assert "reset" in message
    assert "secret" not in message
    qtbot.waitUntil(lambda: not sync.is_running())


def test_an_html_page_fails(qtbot: QtBot) -> None:
    page = b"<!DOCTYPE html><html><body>Sign in</body></html>"
    sync = FeedSync(factory(lambda request: httpx.Response(200, content=page)))
    with qtbot.waitSignal(sync.failed, timeout=5000) as blocker:
        sync.start(url=URL, tz=TZ, window=WINDOW)
    assert "web page" in blocker.args[0]
    qtbot.waitUntil(lambda: not sync.is_running())


def test_cancel_stops_the_sync(qtbot: QtBot) -> None:
    release = threading.Event()
    sync_holder: list[FeedSync] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sync_holder[0].cancel()  # the practitioner presses Cancel while the server is slow
        release.set()
        return httpx.Response(200, content=FEED)

    sync = FeedSync(factory(handler))
    sync_holder.append(sync)
    with (
        qtbot.waitSignal(sync.failed, timeout=5000) as blocker,
        qtbot.assertNotEmitted(sync.fetched),
    ):
        sync.start(url=URL, tz=TZ, window=WINDOW)
    assert release.is_set()
    assert "cancelled" in blocker.args[0]
    qtbot.waitUntil(lambda: not sync.is_running())


class CancellingZone(tzinfo):
    """UTC as the practitioner's zone; the first time the import asks it, Cancel is pressed.

    Attributes:
        calls: how often the import asked the zone.
        threads: the threads that asked.
    """

    def __init__(self, cancel: Callable[[], None]) -> None:
        self._cancel = cancel
        self.calls = 0
        self.threads: set[int] = set()

    def utcoffset(self, dt: datetime | None) -> timedelta:
        self.calls += 1
        self.threads.add(threading.get_ident())
        if self.calls == 1:
            self._cancel()
        return timedelta(0)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "UTC"


def many_events(count: int) -> bytes:
    """Return a calendar of *count* one-hour events, 50 a day from 2026-11-01."""
    first = datetime(2026, 11, 1, 8, tzinfo=UTC)
    events = []
    for i in range(count):
        start = first + timedelta(days=i // 50, minutes=10 * (i % 50))
        events.append(
            f"BEGIN:VEVENT\r\nSUMMARY:Client {i}\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\nEND:VEVENT\r\n"
        )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{''.join(events)}END:VCALENDAR\r\n".encode()


def test_cancel_stops_the_import_too(qtbot: QtBot) -> None:
    feed = many_events(2000)
    sync = FeedSync(factory(lambda request: httpx.Response(200, content=feed)))
    zone = CancellingZone(sync.cancel)  # pressed while the import reads the first event
    window = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    with (
        qtbot.waitSignal(sync.failed, timeout=10_000) as blocker,
        qtbot.assertNotEmitted(sync.fetched),
        qtbot.waitSignal(sync.finished, timeout=10_000),
    ):
        assert sync.start(url=URL, tz=zone, window=window)
    assert blocker.args[0] == "The calendar sync was cancelled."
    # Nothing goes on reading the feed once the sync has said it stopped: let any thread that
    # was importing run to its end, then count what the import did after Cancel.
    for thread in threading.enumerate():
        if thread.ident in zone.threads and not isinstance(thread, threading._DummyThread):
            thread.join(timeout=60)
    assert zone.calls < 20, f"the import read on after Cancel ({zone.calls} questions)"


def test_shutdown_waits_for_the_thread(qtbot: QtBot) -> None:
    sync = FeedSync(factory(lambda request: httpx.Response(200, content=FEED)))
    sync.start(url=URL, tz=TZ, window=WINDOW)
    sync.shutdown()
    assert not sync.is_running()


@pytest.mark.parametrize("stall", list(Stall), ids=lambda s: s.value)
def test_shutdown_does_not_wait_for_a_stalled_booking_platform(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stall: Stall
) -> None:
    with slow_feed(tmp_path, stall) as feed:
        monkeypatch.setenv("SSL_CERT_FILE", str(feed.ca_file))
        sync = FeedSync()  # the app's own client: its timeouts are 10 s to connect, 30 s to read
        with qtbot.assertNotEmitted(sync.fetched):
            assert sync.start(url=feed.url, tz=TZ, window=WINDOW)
            assert feed.connected.wait(10), "the fetch reached the server"
            # Taken before the shutdown: once abandoned, the fetch may end at any moment.
            fetches = [t for t in threading.enumerate() if t.name == "feed-fetch"]
            started = time.monotonic()
            assert sync.shutdown()
            stopped = time.monotonic() - started
            assert not sync.is_running()
        # Well inside the client's own timeouts: the stalled fetch was not waited for.
        assert stopped < 2.0, f"shutdown took {stopped:.1f} s"
        assert fetches and all(t.daemon for t in fetches), "abandoned, and Python will not wait"
        # And the abandoned fetch stops by itself at the Cancel: nothing is left reading from
        # the stalled platform, long before the client's own timeouts.
        for fetch in fetches:
            fetch.join(timeout=5)
        assert not any(fetch.is_alive() for fetch in fetches)


@pytest.fixture
def hostile(test_ca: CertificateFiles) -> Iterator[FeedServer]:
    """A booking platform over real HTTPS that answers one byte at a time, or never finishes."""
    yield from serve(test_ca.server_pem, {"/dribble": dribble, "/trickle": trickle})


@pytest.mark.parametrize("path", ["/dribble", "/trickle"], ids=["slow headers", "endless body"])
def test_a_platform_that_never_finishes_meets_the_deadline_with_a_plain_message(
    qtbot: QtBot, test_ca: CertificateFiles, hostile: FeedServer, path: str
) -> None:
    sync = FeedSync(
        lambda: make_client(environ={"SSL_CERT_FILE": str(test_ca.ca_file)}), total_timeout=1.0
    )
    with (
        qtbot.waitSignal(sync.failed, timeout=10_000) as blocker,
        qtbot.assertNotEmitted(sync.fetched),
        qtbot.waitSignal(sync.finished, timeout=10_000),
    ):
        assert sync.start(url=hostile.base + path, tz=TZ, window=WINDOW)
    assert blocker.args[0] == (
        "The booking platform took too long to answer. Try again in a few minutes."
    )
    assert not sync.is_running()
