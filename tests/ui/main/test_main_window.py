"""The main window: countdown, schedule, day navigation and the session actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.countdown import Phase
from sessionclock.core.models import Session
from sessionclock.core.preferences import DisplayPreferences
from sessionclock.core.settings import ClockSettings
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.main.main_window import MainWindow

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0, *, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def window(qtbot: QtBot, clock: FixedClock, repository: AccountRepository) -> MainWindow:
    repository.add(Session("Ann Lee", at(9), at(10)))
    repository.add(Session("Ben Ode", at(10, 15), at(11)))
    controller = ClockController(clock=clock, store=repository, settings=ClockSettings())
    win = MainWindow(controller, display=DisplayPreferences())
    qtbot.addWidget(win)
    controller.reload()
    win.show()
    qtbot.waitExposed(win)
    return win


def test_shows_the_running_session_and_the_day(window: MainWindow) -> None:
    assert window.countdown.face is not None
    assert window.countdown.face.name == "Ann Lee"
    assert window.countdown.face.digits == "35:00"
    assert window.model.rowCount() == 2
    assert window.day_label.text() == "Today · Tue 10 Nov 2026"
    assert window.end_button.isEnabled() and window.extend_button.isEnabled()


def test_plus_five_and_end_now_buttons(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.extend_button, Qt.MouseButton.LeftButton)
    assert window.countdown.face is not None and window.countdown.face.digits == "40:00"
    qtbot.mouseClick(window.end_button, Qt.MouseButton.LeftButton)
    assert window.countdown.face.label == "Next client in"
    assert not window.end_button.isEnabled()


def test_day_navigation_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.day_label.text() == "Tomorrow · Wed 11 Nov 2026"
    assert window.model.rowCount() == 0
    assert window.empty_label.isVisibleTo(window)
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.model.rowCount() == 2
    qtbot.mouseClick(window.previous_button, Qt.MouseButton.LeftButton)
    assert window.day_label.text().startswith("Yesterday")


def test_add_session_through_the_dialog(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill_and_accept(dialog: object) -> int:
        from sessionclock.ui.schedule.session_dialog import SessionDialog

        assert isinstance(dialog, SessionDialog)
        dialog.name_edit.setText("Cleo Park")
        dialog.start_edit.setTime(dialog.start_edit.time().fromString("13:00", "HH:mm"))
        dialog.end_edit.setTime(dialog.end_edit.time().fromString("14:00", "HH:mm"))
        dialog.buttons.accepted.emit()
        return 1

    monkeypatch.setattr(
        "sessionclock.ui.schedule.session_dialog.SessionDialog.exec", fill_and_accept
    )
    window.add_session()
    assert window.model.rowCount() == 3
    assert window.model.session_at(2) is not None
    assert window.model.session_at(2).client_name == "Cleo Park"  # type: ignore[union-attr]


def test_delete_asks_first(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.table.selectRow(1)
    assert window.delete_button.isEnabled()
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    window.delete_selected()
    assert window.model.rowCount() == 2
    window.delete_selected()
    assert window.model.rowCount() == 1


def test_start_now_in_turnover_starts_the_next_client(
    qtbot: QtBot, window: MainWindow, clock: FixedClock
) -> None:
    clock.advance(timedelta(minutes=45))  # 10:05, turnover
    window._controller.tick()
    assert window._controller.state.phase is Phase.TURNOVER
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    state = window._controller.state
    assert state.phase is Phase.HANDS_ON
    assert state.current is not None and state.current.client_name == "Ben Ode"


def test_calendar_actions_are_requested_by_button_and_keyboard(
    qtbot: QtBot, window: MainWindow
) -> None:
    with qtbot.waitSignal(window.sync_requested):
        qtbot.mouseClick(window.sync_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.sync_requested):
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(window.calendar_settings_requested):
        qtbot.keyClick(
            window,
            Qt.Key.Key_C,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    window.set_syncing(True)
    assert not window.sync_button.isEnabled()
    assert window.sync_button.text() == "Syncing…"
    window.set_syncing(False)
    assert window.sync_button.isEnabled()
