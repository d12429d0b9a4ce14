"""Room mode, reminders and notices wired onto the main window, offscreen (no tray here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.models import Session
from sessionclock.core.preferences import Preferences
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.main.main_window import MainWindow
from sessionclock.ui.notices.chime_player import ChimePlayer
from sessionclock.ui.room_and_tray import RoomAndTray
from tests.support.platform import FakeLoginItem, FakeScreenAwake

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


def wire(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository, **options: Any
) -> tuple[ClockController, MainWindow, RoomAndTray]:
    """Build the controller, the main window and room mode/tray on it, shown and loaded."""
    preferences = Preferences()
    controller = ClockController(clock=clock, store=repository, settings=preferences.clock)
    window = MainWindow(controller, display=preferences.display)
    qtbot.addWidget(window)
    parts = RoomAndTray(
        window=window,
        controller=controller,
        preferences=preferences,
        screen_awake=FakeScreenAwake(),
        player=ChimePlayer(outputs=lambda: 0),
        **options,
    )
    qtbot.addWidget(parts.room)
    controller.reload()
    window.show()
    qtbot.waitExposed(window)
    return controller, window, parts


def test_without_a_tray_reminders_appear_in_the_window_banner(
    qtbot: QtBot, qapp: QApplication, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann Lee", at(9), at(10)))
    clock.current = at(9, 44)
    controller, window, parts = wire(qtbot, clock, repository)
    assert parts.tray is None
    assert parts.notifier() is parts.banner
    assert qapp.quitOnLastWindowClosed()
    assert not parts.banner.isVisible()
    clock.current = at(9, 45)
    controller.tick()
    assert parts.banner.isVisible()
    assert parts.banner.title_label.text() == "10 minutes of hands-on time left"
    assert window.countdown.cue_shown
    assert parts.room.countdown.cue_shown


def test_room_mode_is_one_action_away(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    _controller, window, parts = wire(qtbot, clock, repository, use_tray=False)
    parts.room_action.trigger()
    qtbot.waitUntil(parts.room.isVisible)
    assert parts.room.isFullScreen()
    parts.room.leave()
    assert window.isVisible()


def test_settings_and_summary_are_offered(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann Lee", at(9), at(10), actual_start=at(9), actual_end=at(10, 4)))
    _controller, _window, parts = wire(
        qtbot, clock, repository, use_tray=False, login_item=FakeLoginItem()
    )
    settings = parts.open_settings()
    assert settings.isVisible()
    settings.silent_check.setChecked(True)
    with qtbot.waitSignal(parts.preferences_edited) as blocker:
        settings.accept()
    edited: Preferences = blocker.args[0]
    assert edited.reminders.silent
    clock.current = at(10, 30)  # after the session ended
    summary = parts.summary_dialog()
    qtbot.addWidget(summary)
    assert summary.table.rowCount() == 1
    assert summary.total_label.text().startswith("Total overtime: 4 min")
    assert parts.settings_action.menu() is None
    assert parts.settings_action.text() == "&Settings…"
