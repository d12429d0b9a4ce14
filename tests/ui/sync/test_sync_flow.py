"""A sync from request to stored sessions, its failures, and the background check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.feed.fetch import make_client
from sessionclock.core.feed.names import Platform, free_busy_advice
from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import SyncPreferences
from sessionclock.core.sync import SyncChanges, SyncPlan, changes_for
from sessionclock.store.database import Database
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.sync.sync_flow import SyncFlow
from sessionclock.ui.sync.sync_worker import FeedSync
from tests.support.feed_server import run_proxy
from tests.support.keyrings import no_key_store
from tests.support.prompts import ScriptedPrompts

TZ = ZoneInfo("America/Vancouver")
FEED = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
BEGIN:VEVENT\r
SUMMARY:Ann Lee\r
DTSTART;TZID=America/Vancouver:20261110T130000\r
DTEND;TZID=America/Vancouver:20261110T140000\r
END:VEVENT\r
BEGIN:VEVENT\r
SUMMARY:Ben Ode\r
DTSTART;TZID=America/Vancouver:20261111T090000\r
DTEND;TZID=America/Vancouver:20261111T100000\r
END:VEVENT\r
END:VCALENDAR\r
"""


def at(hour: int, minute: int = 0, *, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def feed_sync(body: bytes = FEED, status: int = 200) -> FeedSync:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body)

    return FeedSync(lambda: make_client(transport=httpx.MockTransport(handler)))


class Recorder(ScriptedPrompts):
    """Stands in for the preview dialog (``confirm_plan``) and the message boxes."""

    def __init__(self, answer: Callable[[SyncPlan], SyncChanges | None]) -> None:
        super().__init__()
        self.answer = answer
        self.plans: list[SyncPlan] = []

    def confirm_plan(self, plan: SyncPlan) -> SyncChanges | None:
        self.plans.append(plan)
        return self.answer(plan)


MakeFlow = Callable[..., SyncFlow]


@pytest.fixture
def make_flow(
    repository: AccountRepository, clock: FixedClock
) -> Iterator[Callable[..., SyncFlow]]:
    """Build flows on the test's store and clock; each is shut down (thread joined) afterwards."""
    flows: list[SyncFlow] = []

    def build(
        recorder: Recorder,
        sync: FeedSync | None = None,
        preferences: SyncPreferences | None = None,
    ) -> SyncFlow:
        flow = SyncFlow(
            store=repository,
            clock=clock,
            preferences=preferences or SyncPreferences(),
            prompts=recorder,
            feed_sync=sync or feed_sync(),
            confirm=recorder.confirm_plan,
        )
        flows.append(flow)
        return flow

    yield build
    for flow in flows:
        flow.shutdown()


def test_a_confirmed_sync_writes_the_sessions(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    repository.set_feed_url("https://clinic.example/feed.ics")
    repository.add(Session("Old gone", at(15), at(16), source=SessionSource.CALENDAR))
    repository.add(Session("Typed by hand", at(17), at(18)))
    recorder = Recorder(lambda plan: changes_for(plan))
    flow = make_flow(recorder)
    with qtbot.waitSignal(flow.synced, timeout=5000) as blocker:
        assert flow.sync_now()
    assert blocker.args[0] == 3  # two added, one removed
    stored = repository.sessions_between(at(0), at(0, day=12))
    assert [(s.client_name, s.start, s.source) for s in stored] == [
        ("Ann Lee", at(13), SessionSource.CALENDAR),
        ("Typed by hand", at(17), SessionSource.MANUAL),
        ("Ben Ode", at(9, day=11), SessionSource.CALENDAR),
    ]
    plan = recorder.plans[0]
    assert [s.client_name for s in plan.removed] == ["Old gone"]


def test_cancelling_the_preview_writes_nothing(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    repository.set_feed_url("https://clinic.example/feed.ics")
    recorder = Recorder(lambda plan: None)
    flow = make_flow(recorder)
    with qtbot.waitSignal(flow.running_changed, timeout=5000, check_params_cb=lambda r: not r):
        flow.sync_now()
    assert len(recorder.plans) == 1
    assert repository.sessions_between(at(0), at(0, day=12)) == ()


def test_a_failed_fetch_is_reported_and_changes_nothing(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    repository.set_feed_url("https://clinic.example/feed.ics")
    repository.add(Session("Kept", at(15), at(16), source=SessionSource.CALENDAR))
    recorder = Recorder(lambda plan: changes_for(plan))
    flow = make_flow(recorder, sync=feed_sync(status=403))
    with qtbot.waitSignal(flow.failed, timeout=5000) as blocker:
        flow.sync_now()
    assert recorder.messages == [blocker.args[0]]
    assert "reset" in blocker.args[0]
    assert recorder.plans == []
    assert [s.client_name for s in repository.sessions_between(at(0), at(23))] == ["Kept"]


def test_a_broken_feed_changes_nothing(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    repository.set_feed_url("https://clinic.example/feed.ics")
    recorder = Recorder(lambda plan: changes_for(plan))
    flow = make_flow(recorder, sync=feed_sync(body=b"\x00\xff garbage"))
    with qtbot.waitSignal(flow.failed, timeout=5000):
        flow.sync_now()
    assert repository.sessions_between(at(0), at(0, day=12)) == ()


def test_without_a_connected_calendar_the_sync_says_so(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    recorder = Recorder(lambda plan: changes_for(plan))
    flow = make_flow(recorder)
    assert not flow.sync_now()
    assert recorder.messages and "No calendar is connected" in recorder.messages[0]


def test_background_check_reports_changes_without_writing(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    repository.set_feed_url("https://clinic.example/feed.ics")
    recorder = Recorder(lambda plan: pytest.fail("a background check never asks"))
    flow = make_flow(
        recorder,
        preferences=SyncPreferences(background_check_minutes=15),
    )
    assert flow.background_check_active()
    with qtbot.waitSignal(flow.calendar_changed, timeout=5000):
        flow.check_now()
    assert repository.sessions_between(at(0), at(0, day=12)) == ()
    flow.set_preferences(SyncPreferences(background_check_minutes=0))
    assert not flow.background_check_active()


def test_a_failed_background_check_goes_to_the_tray_not_a_dialog(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    repository.set_feed_url("https://clinic.example/feed.ics")
    recorder = Recorder(lambda plan: changes_for(plan))
    flow = make_flow(recorder, sync=feed_sync(status=404))
    with qtbot.waitSignal(flow.check_failed, timeout=5000) as blocker:
        flow.check_now()
    assert "reset" in blocker.args[0]
    assert recorder.messages == []


def test_retention_deletes_sessions_that_ended_long_ago(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    old = at(9) - timedelta(days=31)
    repository.add(Session("Long ago", old, old + timedelta(hours=1)))
    repository.add(Session("Recent", at(9, day=1), at(10, day=1)))
    flow = make_flow(Recorder(lambda plan: None))
    assert flow.purge_old_sessions() == 1
    remaining = repository.sessions_between(at(0) - timedelta(days=60), at(23))
    assert [s.client_name for s in remaining] == ["Recent"]


def test_the_preview_is_told_of_a_free_busy_address_and_of_changed_names(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    repository.set_feed_url("https://clinic.example/feed.ics")
    recorder = Recorder(lambda plan: None)
    busy = FEED.replace(b"Ann Lee", b"Busy").replace(b"Ben Ode", b"Busy")
    flow = make_flow(recorder, sync=feed_sync(body=busy))
    with qtbot.waitSignal(flow.running_changed, timeout=5000, check_params_cb=lambda r: not r):
        flow.sync_now()
    [plan] = recorder.plans
    assert plan.free_busy == free_busy_advice(Platform.OTHER)
    assert plan.free_busy not in plan.warnings

    scrubbed = FEED.replace(b"Ann Lee", b"Ann Lee 604 555 0100")
    flow = make_flow(recorder, sync=feed_sync(body=scrubbed))
    with qtbot.waitSignal(flow.running_changed, timeout=5000, check_params_cb=lambda r: not r):
        flow.sync_now()
    assert (recorder.plans[1].names_scrubbed, recorder.plans[1].free_busy) == (1, None)
    assert [s.name for s in recorder.plans[1].new] == ["Ann Lee", "Ben Ode"]


# What the practitioner reads when a sync cannot run: the whole message, in plain words, with
# what to do next. (The calendar that is too busy, and other platforms' failures, are in
# tests/test_app_hostile_feeds.py, over real HTTPS.)


def sync_and_read(qtbot: QtBot, flow: SyncFlow, recorder: Recorder) -> str:
    with qtbot.waitSignal(flow.failed, timeout=10_000) as blocker:
        flow.sync_now()
    assert recorder.messages == [blocker.args[0]]
    assert recorder.plans == []
    return str(blocker.args[0])


def test_an_unusable_certificate_file_is_reported_with_what_to_do(
    qtbot: QtBot,
    make_flow: MakeFlow,
    repository: AccountRepository,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "ca.pem").write_text("not a certificate\n", encoding="ascii")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    repository.set_feed_url("https://clinic.example/feed.ics")
    recorder = Recorder(lambda plan: None)
    message = sync_and_read(qtbot, make_flow(recorder, sync=FeedSync()), recorder)
    assert message == (
        "The certificate file named by the SSL_CERT_FILE setting of this computer cannot be "
        "used (not a certificate file), so no secure connection can be made. Correct or remove "
        "SSL_CERT_FILE and start Session Clock again."
    )


def test_a_proxy_that_refuses_is_reported_with_what_to_do(
    qtbot: QtBot,
    make_flow: MakeFlow,
    repository: AccountRepository,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repository.set_feed_url("https://clinic.example/calendar/s3cr3t.ics")
    recorder = Recorder(lambda plan: None)
    for proxy in run_proxy():
        proxy.refuse = True
        monkeypatch.setenv("HTTPS_PROXY", proxy.address)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        message = sync_and_read(qtbot, make_flow(recorder, sync=FeedSync()), recorder)
        assert proxy.tunnels == ["clinic.example:443"]
    assert message == (
        "The proxy server set on this computer did not pass the request on. Check the proxy "
        "settings, or ask whoever manages the network."
    )


def test_a_key_store_that_cannot_open_the_address_is_reported_with_what_to_do(
    qtbot: QtBot, make_flow: MakeFlow, clock: FixedClock, database: Database, memory_keyring: object
) -> None:
    account = database.create_account()
    database.repository(account, KeyringKeyStore()).set_feed_url(
        "https://clinic.example/calendar/s3cr3t.ics"
    )
    recorder = Recorder(lambda plan: None)
    with no_key_store():  # the next start, with the key store gone or locked
        flow = SyncFlow(
            store=database.repository(account, KeyringKeyStore()),
            clock=clock,
            preferences=SyncPreferences(),
            prompts=recorder,
            feed_sync=feed_sync(),
            confirm=recorder.confirm_plan,
        )
        assert not flow.sync_now()
    [message] = recorder.messages
    assert message.startswith("No secure key store is available on this computer")
    assert message.endswith("then try again.")
    assert "s3cr3t" not in message
    flow.shutdown()


def test_a_paused_sync_says_why_and_fetches_nothing(
    qtbot: QtBot, make_flow: MakeFlow, repository: AccountRepository
) -> None:
    repository.set_feed_url("https://clinic.example/feed.ics")
    recorder = Recorder(lambda plan: changes_for(plan))
    flow = make_flow(recorder)
    flow.set_paused("Your subscription has ended.")
    assert flow.paused
    with qtbot.assertNotEmitted(flow.running_changed):
        assert not flow.sync_now()
        assert not flow.check_now()
    assert recorder.reports == [("Calendar sync", "Your subscription has ended.", False)]
    flow.set_paused(None)
    with qtbot.waitSignal(flow.synced, timeout=5000):
        assert flow.sync_now()
