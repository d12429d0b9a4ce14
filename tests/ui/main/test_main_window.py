"""The main window: the countdown, the session buttons, its menus and what it asks for."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QAbstractButton, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.countdown import Phase
from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.core.models import Session
from sessionclock.core.preferences import DisplayPreferences
from sessionclock.core.settings import ClockSettings
from sessionclock.store.database import Database
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.main.main_window import SCHEDULE_MAX_WIDTH, SCHEDULE_MIN_WIDTH, MainWindow
from sessionclock.ui.main.placement import first_geometry
from tests.support.keyrings import no_key_store
from tests.support.prompts import ScriptedPrompts

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0, *, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def controller(clock: FixedClock, repository: AccountRepository) -> ClockController:
    repository.add(Session("Ann Lee", at(9), at(10)))
    repository.add(Session("Ben Ode", at(10, 15), at(11)))
    return ClockController(clock=clock, store=repository, settings=ClockSettings())


def make(qtbot: QtBot, controller: ClockController) -> MainWindow:
    window = MainWindow(controller, display=DisplayPreferences(), prompts=ScriptedPrompts())
    qtbot.addWidget(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, controller: ClockController) -> MainWindow:
    win = make(qtbot, controller)
    controller.reload()
    win.show()
    qtbot.waitExposed(win)
    return win


def test_shows_the_running_session_beside_the_day(window: MainWindow) -> None:
    assert window.countdown.face is not None
    assert window.countdown.face.name == "Ann Lee"
    assert window.countdown.face.digits == "35:00"
    assert window.schedule.model.rowCount() == 2
    assert window.end_button.isEnabled() and window.extend_button.isEnabled()


def test_plus_five_and_end_now_buttons(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.extend_button, Qt.MouseButton.LeftButton)
    assert window.countdown.face is not None and window.countdown.face.digits == "40:00"
    qtbot.mouseClick(window.end_button, Qt.MouseButton.LeftButton)
    assert window.countdown.face.label == "Next client in"
    assert not window.end_button.isEnabled()
    assert not window.end_action.isEnabled() and not window.extend_action.isEnabled()
    assert window.start_button.isEnabled() and window.start_action.isEnabled()


def test_start_now_in_turnover_starts_the_next_client(
    qtbot: QtBot, window: MainWindow, clock: FixedClock, controller: ClockController
) -> None:
    clock.advance(timedelta(minutes=45))  # 10:05, turnover
    controller.tick()
    assert controller.state.phase is Phase.TURNOVER
    qtbot.mouseClick(window.start_button, Qt.MouseButton.LeftButton)
    state = controller.state
    assert state.phase is Phase.HANDS_ON
    assert state.current is not None and state.current.client_name == "Ben Ode"


def test_day_navigation_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.schedule.day_label.text() == "Tomorrow · Wed 11 Nov 2026"
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.schedule.day_label.text() == "Today · Tue 10 Nov 2026"
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.schedule.day_label.text().startswith("Yesterday")


@pytest.mark.parametrize(
    ("key", "modifiers", "signal"),
    [
        (Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier, "sync_requested"),
        (
            Qt.Key.Key_C,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
            "calendar_settings_requested",
        ),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier, "quit_requested"),
        (Qt.Key.Key_F11, Qt.KeyboardModifier.NoModifier, "room_mode_requested"),
    ],
)
def test_shortcuts_say_what_was_asked_for(
    qtbot: QtBot, window: MainWindow, key: Qt.Key, modifiers: Qt.KeyboardModifier, signal: str
) -> None:
    with qtbot.waitSignal(getattr(window, signal), timeout=1000):
        qtbot.keyClick(window, key, modifiers)


def test_menus_and_buttons_say_what_was_asked_for(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.sync_requested):
        qtbot.mouseClick(window.schedule.sync_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.settings_requested):
        window.settings_action.trigger()
    with qtbot.waitSignal(window.summary_requested):
        window.summary_action.trigger()
    with qtbot.waitSignal(window.room_mode_requested):
        window.room_action.trigger()
    with qtbot.waitSignal(window.about_requested):
        window.about_action.trigger()
    toolbar_button = window.findChild(QWidget, "room-toolbar")
    assert toolbar_button is not None and toolbar_button.isVisible()
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&Session", "&View", "&Calendar", "&Tools", "&Help"]


def test_syncing_disables_the_sync_controls(window: MainWindow) -> None:
    window.set_syncing(True)
    assert not window.schedule.sync_button.isEnabled() and not window.sync_action.isEnabled()
    window.set_syncing(False)
    assert window.schedule.sync_button.isEnabled() and window.sync_action.isEnabled()


def test_closing_the_window_says_so(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.closed):
        window.close()
    assert not window.isVisible()


def test_the_banner_goes_above_the_clock(qtbot: QtBot, window: MainWindow) -> None:
    banner = QPushButton("notice")
    window.set_banner(banner)
    banner.show()
    qtbot.waitUntil(banner.isVisible)
    assert (
        banner.mapTo(window, banner.rect().bottomLeft()).y()
        < window.countdown.mapTo(window, window.countdown.rect().topLeft()).y()
    )


def test_a_cue_shows_and_goes(qtbot: QtBot, window: MainWindow) -> None:
    window.show_cue(duration_ms=50)
    assert window.countdown.cue_shown
    qtbot.waitUntil(lambda: not window.countdown.cue_shown, timeout=2000)


def test_first_start_divides_three_to_two_within_the_schedule_limits(
    window: MainWindow,
) -> None:
    clock_side, schedule = window.splitter.sizes()
    assert SCHEDULE_MIN_WIDTH <= schedule <= SCHEDULE_MAX_WIDTH
    assert abs(clock_side * 2 - schedule * 3) <= 5 or schedule in (
        SCHEDULE_MIN_WIDTH,
        SCHEDULE_MAX_WIDTH,
    )


def test_placement_comes_back_in_a_new_window(qtbot: QtBot, controller: ClockController) -> None:
    first = make(qtbot, controller)
    first.restore_placement(None, None)
    first.resize(760, 560)  # the offscreen screen is small
    first.show()
    qtbot.waitExposed(first)
    first.splitter.setSizes([300, 440])
    geometry, splitter = first.placement()
    second = make(qtbot, controller)
    second.restore_placement(geometry, splitter)
    second.show()
    qtbot.waitExposed(second)
    assert second.size() == QSize(760, 560)
    assert second.splitter.sizes() == first.splitter.sizes()


def test_nothing_usable_saved_means_a_fitted_first_start(
    qtbot: QtBot, controller: ClockController
) -> None:
    window = make(qtbot, controller)
    window.restore_placement(b"not a geometry", None)  # type: ignore[arg-type]
    available = window.screen().availableGeometry()
    assert window.geometry() == first_geometry(available, minimum=window.minimumSizeHint())


@pytest.mark.parametrize(
    ("available", "expected"),
    [
        pytest.param(QRect(0, 0, 1920, 1080), QRect(320, 156, 1280, 800), id="room to spare"),
        pytest.param(QRect(0, 0, 1366, 768), QRect(43, 40, 1280, 720), id="1366x768 laptop"),
        pytest.param(QRect(0, 0, 1280, 720), QRect(8, 40, 1264, 672), id="1280x720"),
        pytest.param(
            QRect(0, 32, 1280, 821), QRect(8, 72, 1264, 773), id="150% on 1920x1280, a panel"
        ),
    ],
)
def test_first_geometry_fits_the_screen_with_room_for_the_frame(
    available: QRect, expected: QRect
) -> None:
    geometry = first_geometry(available, minimum=QSize(900, 600))
    assert geometry == expected
    assert available.contains(geometry.adjusted(-8, -40, 8, 8))


def test_first_geometry_never_goes_below_the_minimum() -> None:
    geometry = first_geometry(QRect(0, 0, 800, 600), minimum=QSize(900, 640))
    assert geometry.size() == QSize(900, 640)


def test_at_its_smallest_every_button_is_inside_the_window(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.resize(window.minimumSizeHint())
    qtbot.waitUntil(lambda: window.size() == window.minimumSizeHint())
    inside = window.rect()
    buttons = window.findChildren(QAbstractButton)
    assert len(buttons) >= 11  # ten push buttons and the room-mode tool button
    for button in buttons:
        if button.isVisibleTo(window):
            corner = button.mapTo(window, button.rect().topLeft())
            assert inside.contains(QRect(corner, button.size())), button.text()


def test_a_change_that_could_not_be_saved_is_explained_in_full(
    qtbot: QtBot, clock: FixedClock, database: Database
) -> None:
    prompts = ScriptedPrompts()
    with no_key_store():
        repository = database.repository(database.create_account(), KeyringKeyStore())
        controller = ClockController(clock=clock, store=repository, settings=ClockSettings())
        window = MainWindow(controller, display=DisplayPreferences(), prompts=prompts)
        qtbot.addWidget(window)
        controller.add_session(Session("Ann Lee", at(9), at(10)))
    [(title, message, serious)] = prompts.reports
    assert (title, serious) == ("The change was not saved", False)
    assert message.startswith("No secure key store is available on this computer")
    assert message.endswith("then try again.")  # what to do next, in full
    assert "Ann" not in message
