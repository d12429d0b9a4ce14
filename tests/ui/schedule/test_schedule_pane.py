"""The schedule pane: the day shown, day navigation, and adding, editing and deleting sessions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.schedule.schedule_pane import SchedulePane
from sessionclock.ui.schedule.session_dialog import SessionDialog
from tests.support.prompts import ScriptedPrompts

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0, *, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def pane(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository, prompts: ScriptedPrompts
) -> SchedulePane:
    repository.add(Session("Ann Lee", at(9), at(10)))
    repository.add(Session("Ben Ode", at(10, 15), at(11)))
    controller = ClockController(clock=clock, store=repository, settings=ClockSettings())
    widget = SchedulePane(controller, prompts=prompts)
    qtbot.addWidget(widget)
    controller.reload()
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_shows_the_day_and_its_sessions(pane: SchedulePane) -> None:
    assert pane.day_label.text() == "Today · Tue 10 Nov 2026"
    assert pane.model.rowCount() == 2
    assert not pane.empty_label.isVisibleTo(pane)
    assert not pane.edit_button.isEnabled() and not pane.delete_button.isEnabled()


def test_day_navigation(qtbot: QtBot, pane: SchedulePane) -> None:
    qtbot.mouseClick(pane.next_button, Qt.MouseButton.LeftButton)
    assert pane.day_label.text() == "Tomorrow · Wed 11 Nov 2026"
    assert pane.model.rowCount() == 0
    assert pane.empty_label.isVisibleTo(pane)
    qtbot.mouseClick(pane.today_button, Qt.MouseButton.LeftButton)
    assert pane.model.rowCount() == 2
    qtbot.mouseClick(pane.previous_button, Qt.MouseButton.LeftButton)
    assert pane.day_label.text().startswith("Yesterday")


def test_add_session_through_the_dialog(
    pane: SchedulePane, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fill_and_accept(dialog: SessionDialog) -> int:
        dialog.name_edit.setText("Cleo Park")
        dialog.start_edit.setTime(dialog.start_edit.time().fromString("13:00", "HH:mm"))
        dialog.end_edit.setTime(dialog.end_edit.time().fromString("14:00", "HH:mm"))
        dialog.buttons.accepted.emit()
        return 1

    monkeypatch.setattr(SessionDialog, "exec", fill_and_accept)
    pane.add_session()
    assert pane.model.rowCount() == 3
    added = pane.model.session_at(2)
    assert added is not None and added.client_name == "Cleo Park"


def test_delete_asks_first(pane: SchedulePane, prompts: ScriptedPrompts) -> None:
    pane.table.selectRow(1)
    assert pane.delete_button.isEnabled()
    prompts.answers = [False, True]
    pane.delete_button.click()
    assert pane.model.rowCount() == 2
    pane.delete_button.click()
    assert pane.model.rowCount() == 1
    assert [title for title, _, _ in prompts.asked] == ["Delete session", "Delete session"]


def test_sync_button_asks_for_a_sync_and_shows_it_running(qtbot: QtBot, pane: SchedulePane) -> None:
    with qtbot.waitSignal(pane.sync_requested):
        qtbot.mouseClick(pane.sync_button, Qt.MouseButton.LeftButton)
    pane.set_syncing(True)
    assert not pane.sync_button.isEnabled()
    assert pane.sync_button.text() == "Syncing…"
    pane.set_syncing(False)
    assert pane.sync_button.isEnabled()


def test_paused_editing_keeps_the_day_readable_and_says_why(
    qtbot: QtBot, pane: SchedulePane, prompts: ScriptedPrompts
) -> None:
    pane.table.selectRow(0)
    pane.set_editing(False, "Your subscription has ended.")
    assert pane.model.rowCount() == 2
    for button in (pane.add_button, pane.edit_button, pane.delete_button, pane.sync_button):
        assert not button.isEnabled()
    assert pane.paused_label.isVisible()
    assert pane.paused_label.text() == (
        "Syncing and editing are paused. Your subscription has ended."
    )
    pane.delete_selected()  # Session ▸ Delete (its shortcut) does nothing either
    assert prompts.asked == []
    pane.set_editing(True)
    assert pane.add_button.isEnabled() and pane.edit_button.isEnabled()
    assert not pane.paused_label.isVisible()


def test_locked_it_shows_nobody_and_offers_nothing(pane: SchedulePane) -> None:
    pane.set_locked(True)
    assert pane.day_label.text() == "Signed out"
    assert "Sign in" in pane.empty_label.text()
    for button in (pane.add_button, pane.today_button, pane.next_button, pane.sync_button):
        assert not button.isEnabled()
    pane.set_locked(False)
    assert pane.add_button.isEnabled() and pane.next_button.isEnabled()
    assert pane.empty_label.text() == "No sessions booked on this day."
