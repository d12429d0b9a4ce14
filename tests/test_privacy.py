"""End to end: a feed full of marker strings is synced, and nothing but name and times is kept.

Every file under the data folder and every log record is scanned afterwards: no marker from the
fields the app must never read, and after Disconnect, no trace of the feed address.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.feed.fetch import make_client
from sessionclock.core.preferences import SyncPreferences
from sessionclock.core.sync import changes_for
from sessionclock.profile import open_profile
from sessionclock.ui.sync.sync_flow import SyncFlow
from sessionclock.ui.sync.sync_worker import FeedSync
from tests.support.prompts import ScriptedPrompts

MARK = "QZXMARK"
TOKEN = "QZXTOKEN7f3a9c"
URL = f"https://clinic.example/calendar/42/ical/{TOKEN}.ics"
NAME = "Robin Client"
FEED = f"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//{MARK}-prodid//EN\r
X-WR-CALNAME:{MARK}-calname\r
BEGIN:VEVENT\r
UID:{MARK}-uid@example.com\r
SUMMARY:{NAME}\r
DTSTART:20261110T170000Z\r
DTEND:20261110T180000Z\r
LOCATION:{MARK}-location 12 High Street\r
DESCRIPTION:{MARK}-description call 555-0100\\nshoulder notes\r
ATTENDEE;CN={MARK}-attendee:mailto:{MARK}-attendee@example.com\r
ORGANIZER;CN={MARK}-organizer:mailto:{MARK}-organizer@example.com\r
X-ALT-DESC;FMTTYPE=text/html:<p>{MARK}-html</p>\r
BEGIN:VALARM\r
ACTION:DISPLAY\r
DESCRIPTION:{MARK}-alarm\r
TRIGGER:-PT15M\r
END:VALARM\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:{MARK}-uid-2@example.com\r
SUMMARY:Weekly {MARK}-series\r
DTSTART:20261110T190000Z\r
DTEND:20261110T200000Z\r
RRULE:FREQ=WEEKLY;X-NAME={MARK}-rrule\r
END:VEVENT\r
END:VCALENDAR\r
""".encode()


def scan(folder: Path, needle: str) -> list[str]:
    """Return the files under *folder* whose bytes contain *needle* (UTF-8 or UTF-16)."""
    forms = [needle.encode(), needle.encode("utf-16-le"), needle.lower().encode()]
    return [
        str(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and any(form in path.read_bytes() for form in forms)
    ]


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    """Capture every log record, at every level, into a file under *tmp_path*/logs."""
    folder = tmp_path / "logs"
    folder.mkdir()
    handler = logging.FileHandler(folder / "sessionclock.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        yield folder
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        handler.close()


def test_marker_feed_leaves_no_trace_and_disconnect_removes_the_address(
    qtbot: QtBot, tmp_path: Path, logs: Path, memory_keyring: object
) -> None:
    data = tmp_path / "data"
    clock = FixedClock(datetime(2026, 11, 10, 16, tzinfo=UTC))
    profile = open_profile(data_dir=data, demo=False, clock=clock)
    repository = profile.repository
    repository.set_feed_url(URL)
    requests: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        return httpx.Response(200, content=FEED)

    prompts = ScriptedPrompts()
    flow = SyncFlow(
        store=repository,
        clock=clock,
        preferences=SyncPreferences(),
        feed_sync=FeedSync(lambda: make_client(transport=httpx.MockTransport(handler))),
        prompts=prompts,
        confirm=lambda plan: changes_for(plan),
    )
    try:
        with qtbot.waitSignal(flow.running_changed, check_params_cb=lambda on: not on):
            flow.sync_now()
    finally:
        flow.shutdown()
    assert requests == [URL]
    assert prompts.reports == []

    stored = repository.sessions_between(clock.now(), clock.now().replace(hour=23))
    assert [(s.client_name, s.start) for s in stored] == [
        (NAME, datetime(2026, 11, 10, 17, tzinfo=UTC))
    ]
    profile.close()

    assert scan(data, MARK) == []
    assert scan(logs, MARK) == []
    assert scan(data, NAME) == []  # client names are sealed
    assert scan(logs, NAME) == []
    assert scan(data, TOKEN) == []  # the address is sealed too
    assert scan(logs, TOKEN) == []
    assert any(data.iterdir()), "the scan looked at real files"

    reopened = open_profile(data_dir=data, demo=False, clock=clock)
    try:
        assert reopened.repository.feed_url() == URL
        reopened.repository.disconnect_feed()
        assert reopened.repository.feed_url() is None
    finally:
        reopened.close()
    assert scan(data, TOKEN) == []
    assert scan(logs, TOKEN) == []
