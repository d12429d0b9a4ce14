"""The composition root: demo profile, real profile, and a clear refusal without a key store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from sessionclock import app
from sessionclock.core.clock import FixedClock, SystemClock
from sessionclock.core.countdown import Phase


def test_demo_profile_shows_a_running_session(qtbot: QtBot) -> None:
    clock = SystemClock(UTC)
    profile = app.open_profile(data_dir=None, demo=True, clock=clock)
    folder = profile.database.path.parent
    application = app.build(profile, clock=clock)
    qtbot.addWidget(application.window)
    try:
        assert application.controller.state.phase is Phase.HANDS_ON
        assert application.window.model.rowCount() >= 1
        assert application.ticker.is_active()
    finally:
        application.shutdown()
    assert not folder.exists(), "the demo leaves nothing behind"


def test_a_real_profile_keeps_sessions_between_starts(
    qtbot: QtBot, tmp_path: Path, memory_keyring: object
) -> None:
    clock = FixedClock(datetime(2026, 11, 10, 9, tzinfo=UTC))
    first = app.open_profile(data_dir=tmp_path, demo=False, clock=clock)
    from sessionclock.core.models import Session

    first.repository.add(Session("Ann", clock.now(), clock.now().replace(hour=10)))
    first.close()
    second = app.open_profile(data_dir=tmp_path, demo=False, clock=clock)
    try:
        assert second.account_id == first.account_id
        sessions = second.repository.sessions_between(clock.now(), clock.now().replace(hour=11))
        assert [s.client_name for s in sessions] == ["Ann"]
    finally:
        second.close()


def test_without_a_key_store_the_app_says_so_and_stores_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    shown: list[tuple[Any, ...]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args))
    try:
        status = app.main(["--data-dir", str(tmp_path)])
    finally:
        keyring.set_keyring(previous)
    assert status == 1
    assert shown
    assert shown[0][1] == "Session Clock cannot start"
    assert "key store" in shown[0][2].lower()
    assert not (tmp_path / "sessionclock.db").exists()


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        app.parse_args(["--version"])
    assert exit_info.value.code == 0
    assert "sessionclock" in capsys.readouterr().out


def test_preferences_are_saved_and_applied_at_once(qtbot: QtBot) -> None:
    from dataclasses import replace

    from sessionclock.core.preferences import ThemeName
    from sessionclock.core.settings import ClockSettings

    clock = SystemClock(UTC)
    application = app.build(app.open_profile(data_dir=None, demo=True, clock=clock), clock=clock)
    qtbot.addWidget(application.window)
    try:
        preferences = replace(
            application.preferences,
            clock=ClockSettings(wrap_up_minutes=10),
            display=replace(application.preferences.display, theme=ThemeName.NIGHT),
        )
        application.update_preferences(preferences)
        assert application.profile is not None
        assert app.load_preferences(application.profile.repository) == preferences
        assert application.controller.settings.wrap_up_minutes == 10
        assert application.window.countdown.theme.name is ThemeName.NIGHT
    finally:
        application.shutdown()


def test_sync_without_a_calendar_says_how_to_connect_one(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    clock = SystemClock(UTC)
    application = app.build(app.open_profile(data_dir=None, demo=True, clock=clock), clock=clock)
    qtbot.addWidget(application.window)
    try:
        application.window.sync_button.click()
    finally:
        application.shutdown()
    assert shown == ["No calendar is connected. Open Calendar settings to connect one."]


def test_delete_all_data_removes_every_row_and_the_key(
    qtbot: QtBot, tmp_path: Path, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sessionclock.core.models import Session
    from sessionclock.store.database import Database

    clock = FixedClock(datetime(2026, 11, 10, 9, tzinfo=UTC))
    profile = app.open_profile(data_dir=tmp_path, demo=False, clock=clock)
    profile.repository.add(Session("Marker Client", clock.now(), clock.now().replace(hour=10)))
    profile.repository.set_feed_url("https://clinic.example/feed/QZXTOKEN.ics")
    application = app.build(profile, clock=clock)
    qtbot.addWidget(application.window)
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: next(answers))
    assert not application.delete_local_data()
    assert profile.repository.feed_url() is not None
    assert memory_keyring.passwords
    assert application.delete_local_data()
    application.shutdown()

    assert memory_keyring.passwords == {}
    database = Database.open(tmp_path / "sessionclock.db")
    try:
        assert database.account_ids() == ()
    finally:
        database.close()
    for path in tmp_path.iterdir():
        assert b"QZXTOKEN" not in path.read_bytes()


def test_calendar_changes_found_in_the_background_are_announced(qtbot: QtBot) -> None:
    clock = SystemClock(UTC)
    application = app.build(app.open_profile(data_dir=None, demo=True, clock=clock), clock=clock)
    qtbot.addWidget(application.window)
    try:
        assert application.sync_flow is not None
        application.sync_flow.calendar_changed.emit()
        assert "calendar has changed" in application.window.statusBar().currentMessage()
        assert application.room_and_tray.tray is None  # offscreen: no tray, so the banner
        assert application.room_and_tray.banner.title_label.text() == "Calendar changed"
    finally:
        application.shutdown()


def test_python_m_sessionclock_is_the_app() -> None:
    import subprocess
    import sys

    from sessionclock import __version__

    result = subprocess.run(
        [sys.executable, "-m", "sessionclock", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sessionclock {__version__}"
