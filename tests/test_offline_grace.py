"""Offline grace with a fixed clock: day 6 works, day 8 asks to reconnect, and a session running
when the pause begins is never interrupted; export always works; reconnecting lifts the pause.
A subscription that ended pauses from the start of the next day too.

The account is real (the service on loopback); "offline" is that service stopped, and a trial
that ended is the service's own record of it moved into the past.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine, text

from sessionclock.app import Application
from sessionclock.core.account.access import Standing
from sessionclock.core.clock import FixedClock, SystemClock
from sessionclock.core.countdown import Phase
from sessionclock.core.models import Session
from tests.support.account_ui import WAIT_MS, AccountsApp, sign_up
from tests.support.fake_resend import FakeResend
from tests.support.live_service import RunningService
from tests.support.service import new_email

TZ = ZoneInfo("Europe/Berlin")


def _devices_paused(application: Application) -> bool:
    """Whether syncing with the other devices is paused (asked afresh, each time)."""
    assert application.devices is not None
    return application.devices.paused


@pytest.fixture
def accounts_service(own_service: RunningService) -> RunningService:
    """A service of each test's own: it is stopped and started again."""
    return own_service


@pytest.fixture
def accounts_clock(clock: FixedClock) -> FixedClock:
    """The app runs on the test's fixed clock."""
    return clock


@pytest.fixture
def clock() -> FixedClock:
    """Today at 10:00 in Berlin (the service's trial counts from the real time)."""
    today = SystemClock(TZ).now().date()
    return FixedClock(datetime.combine(today, time(10, 0), tzinfo=TZ))


def test_offline_day_six_works_day_eight_asks_to_reconnect_and_no_session_is_cut(
    qtbot: QtBot,
    accounts_app: AccountsApp,
    resend: FakeResend,
    own_service: RunningService,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    app, application = accounts_app, accounts_app.application
    first_day = clock.current.date()

    def day(number: int, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(first_day + timedelta(days=number), time(hour, minute), tzinfo=TZ)

    sign_up(qtbot, app, resend, new_email())
    watch, schedule = app.flow.watch, application.window.schedule
    standing = watch.access.standing
    assert standing is Standing.TRIAL
    own_service.stop()

    # Day 6: the service cannot be reached; everything works, and the app says until when.
    clock.current = day(6, 9)
    assert watch.check_now()
    qtbot.waitUntil(lambda: watch.reachable is False, timeout=WAIT_MS)
    application.controller.tick()
    standing = watch.access.standing
    assert standing is Standing.OFFLINE
    grace_end = day(7, 10)
    assert app.status() == (
        f"Offline · everything works until {grace_end:%a} {grace_end.day} {grace_end:%b}"
    )
    assert schedule.add_button.isEnabled()
    assert application.sync_flow is not None and not application.sync_flow.paused
    assert not _devices_paused(application)

    # A session booked across the night the pause begins (day 8, 00:00).
    application.controller.add_session(Session("Night Client", day(7, 23, 30), day(8, 0, 30)))
    clock.current = day(8, 0, 10)
    application.controller.tick()
    assert application.controller.state.phase is Phase.HANDS_ON
    during = watch.access
    assert during.standing is Standing.RECONNECT
    assert during.editing, "the session under way is never interrupted"
    assert app.status().endswith("pause when this session ends")
    assert schedule.add_button.isEnabled()
    assert application.window.end_button.isEnabled()
    assert application.banner.title_label.text() == "Connect to the internet"

    # Day 8, once the session is over: syncing and editing are paused, the schedule stays.
    clock.current = day(8, 9)
    application.controller.tick()
    after = watch.access
    assert not after.editing
    assert app.status().startswith("Offline for over 7 days: connect")
    assert app.status().endswith("syncing and editing paused")
    assert not schedule.add_button.isEnabled()
    assert not schedule.sync_button.isEnabled()
    assert not schedule.paused_label.isHidden()
    assert schedule.paused_label.text().startswith(
        "Syncing and editing are paused. Connect to the internet"
    )
    application.controller.show_day(first_day + timedelta(days=7))
    assert schedule.model.rowCount() == 1, "the schedule stays readable"
    assert application.sync_flow is not None
    assert not application.sync_flow.sync_now()
    assert app.prompts.reports[-1][1].startswith("Calendar sync is paused. Connect")
    assert _devices_paused(application)
    exported = tmp_path / "schedule.ics"
    app.prompts.save_paths.append(exported)
    assert application.export_schedule() == exported
    assert "SUMMARY:Night Client" in exported.read_text(encoding="utf-8")

    # Back online: the check succeeds and everything works again.
    own_service.restart()
    assert watch.check_now()
    qtbot.waitUntil(lambda: watch.access.editing, timeout=WAIT_MS)
    assert watch.access.standing is Standing.TRIAL
    assert schedule.add_button.isEnabled()
    assert not application.sync_flow.paused
    assert not _devices_paused(application)


def test_an_ended_trial_pauses_syncing_and_editing_from_the_next_day(
    qtbot: QtBot,
    accounts_app: AccountsApp,
    resend: FakeResend,
    own_service: RunningService,
    clock: FixedClock,
) -> None:
    app, application = accounts_app, accounts_app.application
    email = new_email()
    sign_up(qtbot, app, resend, email)
    engine = create_engine(own_service.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE accounts SET trial_ends_at = :ended WHERE email = :email"),
            {"ended": SystemClock(UTC).now() - timedelta(days=1), "email": email},
        )
    engine.dispose()
    watch, schedule = app.flow.watch, application.window.schedule
    assert watch.check_now()
    qtbot.waitUntil(lambda: watch.access.standing is Standing.LAPSED, timeout=WAIT_MS)
    tomorrow = datetime.combine(clock.current.date() + timedelta(days=1), time(0), tzinfo=TZ)
    today = watch.access
    assert today.editing, "the rest of today goes on as it was"
    assert app.status() == (
        f"Subscription ended · syncing and editing pause from "
        f"{tomorrow:%a} {tomorrow.day} {tomorrow:%b} 00:00"
    )
    assert schedule.add_button.isEnabled()
    assert application.banner.title_label.text() == "Your subscription has ended"
    page = app.flow.open_account_page()
    assert page is not None and page.subscribe_button.isVisibleTo(page)

    clock.current = tomorrow + timedelta(hours=9)
    application.controller.tick()
    next_day = watch.access
    assert not next_day.editing
    assert not schedule.add_button.isEnabled()
    assert schedule.paused_label.text().startswith(
        "Syncing and editing are paused. Your subscription has ended: subscribe again"
    )
