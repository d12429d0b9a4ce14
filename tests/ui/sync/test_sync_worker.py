"""The sync worker fetches and imports off the GUI thread and always finishes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from pytestqt.qtbot import QtBot

from sessionclock.core.feed.fetch import make_client
from sessionclock.core.feed.importer import ImportResult
from sessionclock.ui.sync.sync_worker import FeedSync
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
        # Well inside the client's own timeouts: the stalled fetch was left behind, not waited for.
        assert stopped < 2.0, f"shutdown took {stopped:.1f} s"
        assert fetches and all(t.daemon for t in fetches), "abandoned, and Python will not wait"
