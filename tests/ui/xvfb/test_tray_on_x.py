"""The real QSystemTrayIcon under Xvfb with trayer as the tray host, and room mode on a real WM.

Run by ``tests/ui/test_xvfb_suite.py`` (see this folder's conftest).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from sessionclock.app import Application, build
from sessionclock.core.clock import FixedClock
from sessionclock.core.models import Session
from sessionclock.profile import open_profile
from sessionclock.ui.clock.controller import ClockController
from tests.support.desktop import fake_desktop
from tests.support.prompts import ScriptedPrompts

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


def current_name(controller: ClockController) -> str | None:
    current = controller.state.current
    return current.client_name if current is not None else None


@pytest.fixture
def wired(qtbot: QtBot, tmp_path: Path, memory_keyring: object) -> Iterator[Application]:
    """The whole app on a real display with a tray, two sessions booked, at 09:20."""
    clock = FixedClock(at(9, 20))
    profile = open_profile(data_dir=tmp_path / "profile", demo=False, clock=clock)
    profile.repository.add(Session("Ann Lee", at(9), at(10)))
    profile.repository.add(Session("Ben Okafor", at(10, 15), at(11)))
    application = build(
        profile,
        clock=clock,
        desktop=fake_desktop(tmp_path, tray=QSystemTrayIcon.isSystemTrayAvailable()),
        prompts=ScriptedPrompts(),
    )
    qtbot.addWidget(application.window)
    qtbot.addWidget(application.room)
    yield application
    application.shutdown()


def test_platform_is_a_real_x_display(qapp: QApplication) -> None:
    assert qapp.platformName() == "xcb"


def test_tray_icon_is_embedded_in_the_tray_host(qtbot: QtBot, wired: Application) -> None:
    qtbot.waitUntil(QSystemTrayIcon.isSystemTrayAvailable, timeout=10_000)
    controller, tray = wired.controller, wired.tray
    assert tray is not None
    assert tray.icon.isVisible()
    qtbot.waitUntil(lambda: tray.icon.geometry().width() > 0, timeout=10_000)
    assert tray.icon.toolTip() == "Session Clock — A.L.: 35 min left"
    assert wired.notifier is tray
    clock = controller.clock
    assert isinstance(clock, FixedClock)
    clock.current = at(9, 30)
    controller.tick()
    assert tray.icon.toolTip() == "Session Clock — A.L.: 25 min left"
    assert not tray.icon.icon().isNull()


def test_closing_the_window_keeps_the_clock_in_the_tray(
    qtbot: QtBot, qapp: QApplication, wired: Application
) -> None:
    window, tray = wired.window, wired.tray
    assert tray is not None
    window.show()
    qtbot.waitExposed(window)
    with qtbot.assertNotEmitted(wired.finished), qtbot.assertNotEmitted(qapp.aboutToQuit):
        window.close()
    assert not window.isVisible()
    tray.show_action.trigger()
    qtbot.waitUntil(window.isVisible)


def test_tray_menu_acts_on_the_session(qtbot: QtBot, wired: Application) -> None:
    controller, tray, room = wired.controller, wired.tray, wired.room
    assert tray is not None
    tray.end_action.trigger()
    assert current_name(controller) is None
    tray.start_action.trigger()
    assert current_name(controller) == "Ben Okafor"
    tray.room_action.trigger()
    qtbot.waitUntil(room.isFullScreen)
    room.leave()
    with qtbot.waitSignal(wired.finished) as done:
        tray.quit_action.trigger()
    assert done.args == [0]
    assert not tray.icon.isVisible()


def test_f11_reaches_the_window_and_opens_room_mode(qtbot: QtBot, wired: Application) -> None:
    window, room = wired.window, wired.room
    window.show()
    qtbot.waitExposed(window)
    wid = str(int(window.winId()))
    subprocess.run(["xdotool", "windowactivate", "--sync", wid], check=True, timeout=10)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    subprocess.run(["xdotool", "key", "F11"], check=True, timeout=10)
    qtbot.waitUntil(lambda: room.isVisible() and room.isFullScreen(), timeout=5000)
    room_wid = str(int(room.winId()))
    subprocess.run(["xdotool", "windowactivate", "--sync", room_wid], check=True, timeout=10)
    with qtbot.waitSignal(room.left, timeout=5000):
        subprocess.run(["xdotool", "key", "Escape"], check=True, timeout=10)
    assert not room.isVisible()


def test_closing_the_window_says_once_that_the_clock_keeps_running(
    qtbot: QtBot, wired: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    tray = wired.tray
    assert tray is not None
    told: list[str] = []
    monkeypatch.setattr(tray, "notify", lambda title, message: told.append(title))
    for _ in range(2):
        wired.window.show()
        qtbot.waitExposed(wired.window)
        wired.window.close()
        qtbot.waitUntil(lambda: not wired.window.isVisible())
    assert told == ["Session Clock is still running"]
