"""Room mode: phases in every theme, the exit gesture, touch targets, privacy and the wake lock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.countdown import Phase
from sessionclock.core.models import Session
from sessionclock.core.preferences import DisplayPreferences, ThemeName
from sessionclock.core.settings import ClockSettings
from sessionclock.core.themes import theme
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.room.room_window import LONG_PRESS_MS, RoomWindow
from tests.support.platform import FakeScreenAwake

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


# When, on a day with Ann 09:00-10:00 and Ben Okafor 10:15-11:00, each phase is shown.
PHASE_TIMES = {
    Phase.BEFORE_FIRST: at(8, 30),
    Phase.HANDS_ON: at(9, 20),
    Phase.WRAP_UP: at(9, 57),
    Phase.TURNOVER: at(10, 5),
    Phase.DAY_DONE: at(11, 30),
}


@pytest.fixture
def day(repository: AccountRepository) -> tuple[Session, Session]:
    ann = repository.add(Session("Ann Lee", at(9), at(10)))
    ben = repository.add(Session("Ben Okafor", at(10, 15), at(11)))
    return ann, ben


def make_room(
    qtbot: QtBot,
    clock: FixedClock,
    repository: AccountRepository,
    display: DisplayPreferences | None = None,
) -> tuple[RoomWindow, ClockController, FakeScreenAwake]:
    controller = ClockController(clock=clock, store=repository, settings=ClockSettings())
    awake = FakeScreenAwake()
    room = RoomWindow(controller, display=display or DisplayPreferences(), screen_awake=awake)
    qtbot.addWidget(room)
    room.resize(1280, 800)
    return room, controller, awake


def background(room: RoomWindow) -> str:
    image = room.countdown.grab().toImage()
    return QColor(image.pixel(QPoint(4, 4))).name()


@pytest.mark.usefixtures("day")
@pytest.mark.parametrize("name", list(ThemeName))
@pytest.mark.parametrize("phase", list(PHASE_TIMES))
def test_each_phase_in_each_theme(
    qtbot: QtBot,
    clock: FixedClock,
    repository: AccountRepository,
    name: ThemeName,
    phase: Phase,
) -> None:
    clock.current = PHASE_TIMES[phase]
    room, controller, _ = make_room(qtbot, clock, repository, DisplayPreferences(room_theme=name))
    controller.tick()
    assert controller.state.phase is phase
    assert room.countdown.face is not None
    assert background(room) == theme(name).colours(phase).background


@pytest.mark.usefixtures("day")
def test_overtime_is_shown_counting_up_without_flashing(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    clock.current = at(9, 5)
    room, controller, _ = make_room(qtbot, clock, repository)
    controller.start_now()
    clock.current = at(10, 3)
    for _ in range(3):
        controller.tick()
        assert controller.state.phase is Phase.OVERTIME
        assert room.countdown.face is not None
        assert room.countdown.face.digits.startswith("+")
        assert not room.countdown.cue_shown
        clock.current = clock.current.replace(second=clock.current.second + 1)


@pytest.mark.usefixtures("day")
def test_flashing_when_asked_for(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    clock.current = at(9, 5)
    room, controller, _ = make_room(qtbot, clock, repository, DisplayPreferences(flashing=True))
    controller.start_now()
    shown = []
    for second in range(2):
        clock.current = at(10, 3).replace(second=second)
        controller.tick()
        shown.append(room.countdown.cue_shown)
    assert shown == [True, False]


@pytest.mark.usefixtures("day")
def test_next_client_by_initials_and_seconds_hidden(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    clock.current = at(9, 20)
    display = replace(DisplayPreferences(), show_seconds=False)
    room, controller, _ = make_room(qtbot, clock, repository, display)
    controller.tick()
    face = room.countdown.face
    assert face is not None
    assert "B.O." in face.detail
    assert "Okafor" not in face.detail
    assert face.digits == "35 min"


def test_touch_targets_are_large_enough(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    room, _, _ = make_room(qtbot, clock, repository)
    room.show()
    qtbot.waitExposed(room)
    for button in (room.start_button, room.end_button, room.extend_button, room.leave_button):
        assert button.height() >= 48
        assert button.width() >= 48
        assert button.accessibleName()


@pytest.mark.usefixtures("day")
def test_buttons_act_on_the_session(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    clock.current = at(9, 20)
    room, controller, _ = make_room(qtbot, clock, repository)
    controller.tick()
    qtbot.mouseClick(room.extend_button, Qt.MouseButton.LeftButton)
    assert controller.state.current is not None
    assert controller.state.current.extra_minutes == 5
    qtbot.mouseClick(room.end_button, Qt.MouseButton.LeftButton)
    assert controller.state.phase is Phase.TURNOVER


def test_a_brush_does_not_leave_but_a_long_press_does(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    room, _, _ = make_room(qtbot, clock, repository)
    room.enter()
    qtbot.waitExposed(room)
    with qtbot.assertNotEmitted(room.left, wait=LONG_PRESS_MS + 300):
        qtbot.mouseClick(room.leave_button, Qt.MouseButton.LeftButton)
    assert room.isVisible()
    with qtbot.waitSignal(room.left, timeout=LONG_PRESS_MS * 3):
        qtbot.mousePress(room.leave_button, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(room.leave_button, Qt.MouseButton.LeftButton)
    assert not room.isVisible()


@pytest.mark.parametrize("key", [Qt.Key.Key_Escape, Qt.Key.Key_F11])
def test_escape_or_f11_leaves(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository, key: Qt.Key
) -> None:
    room, _, _ = make_room(qtbot, clock, repository)
    room.enter()
    qtbot.waitExposed(room)
    assert room.isFullScreen()
    with qtbot.waitSignal(room.left):
        qtbot.keyClick(room, key)
    assert not room.isVisible()


def test_other_keys_do_not_leave(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    room, _, _ = make_room(qtbot, clock, repository)
    room.enter()
    qtbot.waitExposed(room)
    with qtbot.assertNotEmitted(room.left):
        qtbot.keyClick(room, Qt.Key.Key_Space)
        qtbot.keyClick(room, Qt.Key.Key_Q)
    assert room.isVisible()


@pytest.mark.usefixtures("day")
def test_screen_kept_awake_only_while_a_session_runs(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    clock.current = at(8, 30)
    room, controller, awake = make_room(qtbot, clock, repository)
    room.enter()
    qtbot.waitExposed(room)
    assert not awake.calls or awake.calls[-1] == "release"
    clock.current = at(9, 20)
    controller.tick()
    assert awake.calls[-1] == "hold"
    clock.current = at(10, 5)
    controller.tick()
    assert not awake.calls or awake.calls[-1] == "release"
    clock.current = at(10, 20)
    controller.tick()
    assert awake.calls[-1] == "hold"
    room.leave()
    assert awake.calls == ["hold", "release", "hold", "release"]


@pytest.mark.usefixtures("day")
def test_reminder_cue_comes_and_goes(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    clock.current = at(9, 20)
    room, controller, _ = make_room(qtbot, clock, repository)
    controller.tick()
    room.show_cue(50)
    assert room.countdown.cue_shown
    qtbot.waitUntil(lambda: not room.countdown.cue_shown, timeout=2000)


@pytest.mark.usefixtures("day")
def test_the_button_bar_follows_a_theme_changed_while_hidden(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    clock.current = PHASE_TIMES[Phase.HANDS_ON]
    room, controller, _ = make_room(qtbot, clock, repository)  # night theme by default
    controller.tick()
    room.apply_display(DisplayPreferences(room_theme=ThemeName.DAY))
    room.show()
    qtbot.waitExposed(room)
    image = room.grab().toImage()
    bar = QColor(image.pixel(QPoint(4, image.height() - 4))).name()
    assert bar == theme(ThemeName.DAY).colours(Phase.HANDS_ON).background
