"""The real QSystemTrayIcon under Xvfb with trayer as the tray host, and room mode on a real WM.

Run by ``tests/ui/test_xvfb_suite.py`` (see this folder's conftest).
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.models import Session
from sessionclock.core.preferences import Preferences
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.main.main_window import MainWindow
from sessionclock.ui.notices.chime_player import ChimePlayer
from sessionclock.ui.room_and_tray import RoomAndTray
from tests.support.platform import FakeScreenAwake

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


def current_name(controller: ClockController) -> str | None:
    current = controller.state.current
    return current.client_name if current is not None else None


@pytest.fixture
def wired(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> tuple[MainWindow, ClockController, RoomAndTray]:
    repository.add(Session("Ann Lee", at(9), at(10)))
    repository.add(Session("Ben Okafor", at(10, 15), at(11)))
    clock.current = at(9, 20)
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
    )
    qtbot.addWidget(parts.room)
    controller.reload()
    return window, controller, parts


def test_platform_is_a_real_x_display(qapp: QApplication) -> None:
    assert qapp.platformName() == "xcb"


def test_tray_icon_is_embedded_in_the_tray_host(
    qtbot: QtBot, wired: tuple[MainWindow, ClockController, RoomAndTray]
) -> None:
    qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=10_000)
    _, controller, parts = wired
    tray = parts.tray
    assert tray is not None
    assert tray.icon.isVisible()
    qtbot.waitUntil(lambda: tray.icon.geometry().width() > 0, timeout=10_000)
    assert tray.icon.toolTip() == "Session Clock — A.L.: 35 min left"
    assert parts.notifier() is tray
    clock = controller.clock
    assert isinstance(clock, FixedClock)
    clock.current = at(9, 30)
    controller.tick()
    assert tray.icon.toolTip() == "Session Clock — A.L.: 25 min left"
    assert not tray.icon.icon().isNull()


def test_closing_the_window_keeps_the_clock_in_the_tray(
    qtbot: QtBot, qapp: QApplication, wired: tuple[MainWindow, ClockController, RoomAndTray]
) -> None:
    window, _, parts = wired
    assert parts.tray is not None
    assert not qapp.quitOnLastWindowClosed()
    window.show()
    qtbot.waitExposed(window)
    with qtbot.assertNotEmitted(qapp.aboutToQuit):
        window.close()
    assert not window.isVisible()
    parts.tray.show_action.trigger()
    qtbot.waitUntil(window.isVisible)


def test_tray_menu_acts_on_the_session(
    qtbot: QtBot, wired: tuple[MainWindow, ClockController, RoomAndTray]
) -> None:
    _, controller, parts = wired
    assert parts.tray is not None
    parts.tray.end_action.trigger()
    assert current_name(controller) is None
    parts.tray.start_action.trigger()
    assert current_name(controller) == "Ben Okafor"
    parts.tray.room_action.trigger()
    qtbot.waitUntil(parts.room.isFullScreen)
    parts.room.leave()


def test_f11_reaches_the_window_and_opens_room_mode(
    qtbot: QtBot, wired: tuple[MainWindow, ClockController, RoomAndTray]
) -> None:
    window, _, parts = wired
    window.show()
    qtbot.waitExposed(window)
    wid = str(int(window.winId()))
    subprocess.run(["xdotool", "windowactivate", "--sync", wid], check=True, timeout=10)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    subprocess.run(["xdotool", "key", "F11"], check=True, timeout=10)
    qtbot.waitUntil(lambda: parts.room.isVisible() and parts.room.isFullScreen(), timeout=5000)
    room_wid = str(int(parts.room.winId()))
    subprocess.run(["xdotool", "windowactivate", "--sync", room_wid], check=True, timeout=10)
    with qtbot.waitSignal(parts.room.left, timeout=5000):
        subprocess.run(["xdotool", "key", "Escape"], check=True, timeout=10)
    assert not parts.room.isVisible()
