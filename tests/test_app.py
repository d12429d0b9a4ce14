"""The composition root: the app on a demo day, its dialogs, notices, quitting and closing.

Every test runs the whole app on a desktop of fakes (``tests/support/desktop.py``) and scripted
prompts, so nothing touches the real screen saver, login items, speakers or home folder.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sessionclock import __version__, app
from sessionclock.core import resources
from sessionclock.core.clock import FixedClock, SystemClock
from sessionclock.core.countdown import Phase
from sessionclock.core.licences import Licence, to_json
from sessionclock.core.models import Session
from sessionclock.core.preferences import ThemeName
from sessionclock.core.settings import ClockSettings
from sessionclock.profile import Profile, open_profile
from sessionclock.store.database import Database
from sessionclock.ui.dialogs.about_dialog import AboutDialog
from sessionclock.ui.dialogs.settings_dialog import SettingsDialog
from sessionclock.ui.dialogs.summary_dialog import SummaryDialog
from sessionclock.ui.sync.calendar_dialog import CalendarDialog
from tests.support.desktop import fake_desktop
from tests.support.keyrings import no_key_store
from tests.support.prompts import ScriptedPrompts
from tests.support.sessions import busy_day
from tests.support.slow_feed import Stall, slow_feed
from tests.support.work import calls_made

Build = Callable[..., app.Application]
TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


@pytest.fixture
def repository_clock(tmp_path: Path, memory_keyring: object) -> tuple[Profile, FixedClock]:
    """An empty real profile (opened, not yet built into an app) and a clock at 09:20."""
    clock = FixedClock(at(9, 20))
    return open_profile(data_dir=tmp_path / "profile", demo=False, clock=clock), clock


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def build(qtbot: QtBot, tmp_path: Path, prompts: ScriptedPrompts) -> Iterator[Build]:
    """Build the app on a profile (a demo day by default) and shut it down afterwards."""
    built: list[app.Application] = []

    def make(profile: Profile | None = None, *, clock: Any = None) -> app.Application:
        clock = clock or SystemClock(UTC)
        application = app.build(
            profile or open_profile(data_dir=None, demo=True, clock=clock),
            clock=clock,
            desktop=fake_desktop(tmp_path),
            prompts=prompts,
        )
        qtbot.addWidget(application.window)
        qtbot.addWidget(application.room)
        built.append(application)
        return application

    yield make
    for application in built:
        application.shutdown()


def test_the_demo_day_shows_a_running_session_and_leaves_nothing_behind(build: Build) -> None:
    application = build()
    assert application.profile is not None
    folder = application.profile.database.path.parent
    assert application.controller.state.phase is Phase.HANDS_ON
    assert application.window.schedule.model.rowCount() >= 1
    assert application.ticker.is_active()
    application.shutdown()
    assert not folder.exists(), "the demo leaves nothing behind"
    assert not application.ticker.is_active()


def test_without_a_key_store_the_app_says_so_and_stores_nothing(tmp_path: Path) -> None:
    prompts = ScriptedPrompts()
    with no_key_store():
        status = app.main(["--data-dir", str(tmp_path)], prompts=prompts)
    assert status == 1
    [(title, message, serious)] = prompts.reports
    assert title == "Session Clock cannot start"
    assert "key store" in message.lower()
    assert serious
    assert not (tmp_path / "sessionclock.db").exists()


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        app.parse_args(["--version"])
    assert exit_info.value.code == 0
    assert "sessionclock" in capsys.readouterr().out


def test_python_m_sessionclock_is_the_app() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sessionclock", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sessionclock {__version__}"


def test_preferences_are_saved_and_applied_at_once(build: Build) -> None:
    application = build()
    preferences = replace(
        application.preferences,
        clock=ClockSettings(wrap_up_minutes=10),
        display=replace(
            application.preferences.display, theme=ThemeName.NIGHT, room_theme=ThemeName.DAY
        ),
    )
    application.update_preferences(preferences)
    assert application.profile is not None
    assert application.profile.repository.preferences() == preferences
    assert application.controller.settings.wrap_up_minutes == 10
    assert application.window.countdown.theme.name is ThemeName.NIGHT
    assert application.room.countdown.theme.name is ThemeName.DAY


def test_sync_without_a_calendar_says_how_to_connect_one(
    build: Build, prompts: ScriptedPrompts
) -> None:
    application = build()
    application.window.schedule.sync_button.click()
    assert prompts.reports == [
        ("Calendar sync", "No calendar is connected. Open Calendar settings to connect one.", False)
    ]


def test_delete_all_data_removes_every_row_and_the_key(
    build: Build, tmp_path: Path, memory_keyring: Any, prompts: ScriptedPrompts, qtbot: QtBot
) -> None:
    data = tmp_path / "data"
    clock = FixedClock(datetime(2026, 11, 10, 9, tzinfo=UTC))
    profile = open_profile(data_dir=data, demo=False, clock=clock)
    profile.repository.add(Session("Marker Client", clock.now(), clock.now().replace(hour=10)))
    profile.repository.set_feed_url("https://clinic.example/feed/QZXTOKEN.ics")
    application = build(profile, clock=clock)
    prompts.answers = [False, True]
    with qtbot.assertNotEmitted(application.finished):
        assert not application.delete_local_data()
    assert profile.repository.feed_url() is not None
    assert memory_keyring.passwords
    with qtbot.waitSignal(application.finished) as done:
        application.window.delete_data_requested.emit()
    assert done.args == [0]
    assert [serious for _, _, serious in prompts.asked] == [True, True]

    assert memory_keyring.passwords == {}
    database = Database.open(data / "sessionclock.db")
    try:
        assert database.account_ids() == ()
    finally:
        database.close()
    for path in data.iterdir():
        assert b"QZXTOKEN" not in path.read_bytes()


def test_calendar_changes_found_in_the_background_are_announced(build: Build) -> None:
    application = build()
    assert application.sync_flow is not None
    application.sync_flow.calendar_changed.emit()
    assert "calendar has changed" in application.window.statusBar().currentMessage()
    assert application.tray is None  # offscreen: no tray, so the banner
    assert application.notifier is application.banner
    assert application.banner.title_label.text() == "Calendar changed"


# ---------------------------------------------------------------------------- reminders, room


def test_without_a_tray_reminders_appear_in_the_window_banner(
    build: Build, repository_clock: tuple[Profile, FixedClock]
) -> None:
    profile, clock = repository_clock
    profile.repository.add(Session("Ann Lee", at(9), at(10)))
    clock.current = at(9, 44)
    application = build(profile, clock=clock)
    assert not application.banner.isVisible()
    clock.current = at(9, 45)
    application.controller.tick()
    application.window.show()
    assert application.banner.isVisible()
    assert application.banner.title_label.text() == "10 minutes of hands-on time left"
    assert application.window.countdown.cue_shown
    assert application.room.countdown.cue_shown


def test_room_mode_is_one_action_away_and_leaving_brings_the_window_back(
    qtbot: QtBot, build: Build
) -> None:
    application = build()
    window, room = application.window, application.room
    window.room_action.trigger()
    qtbot.waitUntil(room.isVisible)
    assert room.isFullScreen()
    room.leave()
    qtbot.waitUntil(window.isVisible)


def test_settings_are_opened_and_what_is_accepted_is_applied(qtbot: QtBot, build: Build) -> None:
    application = build()
    application.window.settings_action.trigger()
    dialog = application.window.findChild(SettingsDialog)
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(dialog.isVisible)
    dialog.silent_check.setChecked(True)
    dialog.accept()
    assert application.preferences.reminders.silent
    assert application.profile is not None
    assert application.profile.repository.preferences().reminders.silent


def test_todays_summary_counts_what_happened(
    qtbot: QtBot, build: Build, repository_clock: tuple[Profile, FixedClock]
) -> None:
    profile, clock = repository_clock
    profile.repository.add(
        Session("Ann Lee", at(9), at(10), actual_start=at(9), actual_end=at(10, 4))
    )
    clock.current = at(10, 30)
    application = build(profile, clock=clock)
    application.window.summary_action.trigger()
    summary = application.window.findChild(SummaryDialog)
    assert isinstance(summary, SummaryDialog)
    assert summary.table.rowCount() == 1
    assert summary.total_label.text().startswith("Total overtime: 4 min")


def test_calendar_settings_open_on_the_profile(qtbot: QtBot, build: Build) -> None:
    application = build()
    application.window.calendar_settings_requested.emit()
    dialog = application.window.findChild(CalendarDialog)
    assert isinstance(dialog, CalendarDialog)
    with qtbot.waitSignal(dialog.finished):
        dialog.check_spin.setValue(30)
        dialog.reject()
    assert application.preferences.sync.background_check_minutes == 30


# ---------------------------------------------------------------------------- quitting, closing


def test_quit_shuts_everything_down_and_ends_with_status_zero(qtbot: QtBot, build: Build) -> None:
    application = build()
    assert application.profile is not None
    folder = application.profile.database.path.parent
    with qtbot.waitSignal(application.finished) as done:
        application.window.quit_action.trigger()
    assert done.args == [0]
    assert not application.ticker.is_active()
    assert not folder.exists()


def test_without_a_tray_closing_the_window_quits(qtbot: QtBot, build: Build) -> None:
    application = build()
    application.window.show()
    qtbot.waitExposed(application.window)
    with qtbot.waitSignal(application.finished) as done:
        application.window.close()
    assert done.args == [0]


def test_the_window_comes_back_where_it_was_left(
    qtbot: QtBot, build: Build, tmp_path: Path
) -> None:
    first = build()
    first.window.show()
    qtbot.waitExposed(first.window)
    first.window.resize(760, 560)
    qtbot.waitUntil(lambda: first.window.width() == 760)
    first.window.splitter.setSizes([300, 440])
    sizes = first.window.splitter.sizes()
    first.shutdown()
    second = build()
    second.window.show()
    qtbot.waitExposed(second.window)
    assert second.window.size() == first.window.size()
    assert second.window.splitter.sizes() == sizes
    # Only where the window was: never anything about clients.
    saved = configparser.ConfigParser()
    saved.read(tmp_path / "computer.ini", encoding="utf-8")
    assert {section: set(saved[section]) for section in saved.sections()} == {
        "window": {"geometry", "splitter"}
    }


def test_a_day_of_thousands_of_sessions_opens_with_work_in_proportion(
    qtbot: QtBot, tmp_path: Path, memory_keyring: object, prompts: ScriptedPrompts
) -> None:
    # A store can hold thousands of sessions on one day (added by hand, or imported by an older
    # version): the app opened such a day for 24 s. Counted, not timed: the work from the
    # window shown to today's schedule painted grows with the sessions, never with their square.
    clock = FixedClock(at(9, 20))

    def open_day(count: int) -> tuple[int, int]:
        profile = open_profile(data_dir=tmp_path / f"day-{count}", demo=False, clock=clock)
        profile.repository.apply_sync(add=busy_day(at(8), count), update=(), remove_ids=())
        application = app.Application(clock, desktop=fake_desktop(tmp_path), prompts=prompts)
        qtbot.addWidget(application.window)
        qtbot.addWidget(application.room)
        try:
            application.window.show()
            qtbot.waitExposed(application.window)

            def open_and_paint() -> None:
                application.open(profile)
                QApplication.processEvents()

            calls = calls_made(open_and_paint)
            return calls, application.window.schedule.model.rowCount()
        finally:
            application.shutdown()

    open_day(100)  # the first start also imports what the store and the sync need
    (small, small_rows), (large, large_rows) = open_day(1000), open_day(2000)
    assert (small_rows, large_rows) == (1000, 2000)
    assert large / small < 2.5, f"{small:,} calls for 1,000 sessions, {large:,} for 2,000"


@pytest.mark.parametrize("stall", list(Stall), ids=lambda s: s.value)
def test_a_stalled_calendar_does_not_hold_up_quit(
    qtbot: QtBot,
    build: Build,
    repository_clock: tuple[Profile, FixedClock],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    stall: Stall,
) -> None:
    profile, clock = repository_clock
    with slow_feed(tmp_path / "feed", stall) as feed:
        monkeypatch.setenv("SSL_CERT_FILE", str(feed.ca_file))
        profile.repository.set_feed_url(feed.url)
        application = build(profile, clock=clock)
        application.window.sync_action.trigger()
        assert application.sync_flow is not None
        assert feed.connected.wait(10), "the sync reached the booking platform"
        assert not application.window.sync_action.isEnabled()  # a sync is running
        started = time.monotonic()
        with qtbot.waitSignal(application.finished, timeout=10_000) as done:
            application.window.quit_action.trigger()
        took = time.monotonic() - started
        assert done.args == [0]
        assert not application.sync_flow.feed_sync.is_running()
        # The app's feed client waits 10 s to connect and 30 s per read; Quit does not.
        assert took < 5.0, f"quit took {took:.1f} s while the calendar stalled"


# ---------------------------------------------------------------------------- export


def test_the_schedule_exports_as_csv_or_icalendar_where_chosen(
    build: Build, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    application = build()
    assert application.profile is not None
    names = {s.client_name for s in application.profile.repository.all_sessions()}
    prompts.save_paths = [tmp_path / "day.csv", tmp_path / "day.ics", None]
    assert application.export_schedule() == tmp_path / "day.csv"
    csv_text = (tmp_path / "day.csv").read_text(encoding="utf-8-sig")
    assert csv_text.startswith("Client,Start,End,Time zone,Source")
    assert all(name in csv_text for name in names)
    application.window.export_action.trigger()
    ics = (tmp_path / "day.ics").read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and ics.count("BEGIN:VEVENT") == len(names)
    assert application.export_schedule() is None  # cancelled: nothing written
    title, suggested, filters = prompts.save_questions[0]
    assert title == "Export schedule"
    assert suggested.suffix == ".csv" and "*.ics" in filters
    assert "exported to day.ics" in application.window.statusBar().currentMessage()


def test_an_export_that_cannot_be_written_says_why(
    build: Build, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    application = build()
    prompts.save_paths = [tmp_path / "no such folder" / "day.csv"]
    assert application.export_schedule() is None
    [(title, message, _serious)] = prompts.reports
    assert title == "The schedule could not be exported"
    assert "No such file" in message


@pytest.mark.allow_warning_logs
def test_an_unexpected_error_is_reported_calmly_and_the_clock_keeps_running(
    qtbot: QtBot, build: Build, prompts: ScriptedPrompts
) -> None:
    application = build()
    client = application.controller.state.current
    assert client is not None
    failures: list[str] = []

    def fail_once(state: object) -> None:
        if not failures:
            failures.append(client.client_name)
            raise RuntimeError(f"could not show {client.client_name}")

    application.controller.state_changed.connect(fail_once)
    reporter = app.watch_for_crashes(application)
    try:
        qtbot.waitUntil(lambda: bool(prompts.crashes), timeout=5000)
        # The clock keeps counting after the error.
        with qtbot.waitSignal(application.controller.state_changed, timeout=5000):
            pass
    finally:
        reporter.uninstall()
    [report] = prompts.crashes
    assert report.startswith(f"Session Clock {__version__} (from Python)\n")
    assert "\nPlatform: " in report and "\nQt: " in report
    assert "RuntimeError (message left out)" in report
    assert "in fail_once" in report
    controller = application.controller
    for session in controller.sessions_on(controller.today()):
        for part in session.client_name.split():
            assert part not in report
    assert application.ticker.is_active()


def listed_libraries(dialog: AboutDialog) -> list[str]:
    items = [dialog.libraries.topLevelItem(i) for i in range(dialog.libraries.topLevelItemCount())]
    return [item.text(0) for item in items if item is not None]


def test_about_lists_the_libraries_the_app_runs_with(build: Build) -> None:
    application = build()
    dialog = application.open_about()
    libraries = set(listed_libraries(dialog))
    # From a checkout the list is what this process imported (the built app ships its own list,
    # checked in tests/packaging): at least the libraries the running app stands on.
    assert {"PySide6_Essentials", "SQLAlchemy", "keyring", "cryptography"} <= libraries
    dialog.close()


def test_about_shows_the_list_a_built_app_ships(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = (Licence("Only", "1.0", "MIT", "The text", ""),)
    (tmp_path / "licences.json").write_text(to_json(shipped), encoding="utf-8")
    monkeypatch.setattr(resources, "resource_root", lambda: tmp_path)
    dialog = build().open_about()
    assert listed_libraries(dialog) == ["Only"]
    dialog.close()


@pytest.mark.allow_warning_logs
def test_a_log_folder_that_cannot_be_written_leaves_logging_to_the_terminal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("")
    with no_key_store():
        status = app.main(["--data-dir", str(not_a_folder)], prompts=ScriptedPrompts())
    assert status == 1
    assert "no log file: its folder cannot be written" in caplog.text
