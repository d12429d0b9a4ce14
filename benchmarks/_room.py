"""Shared set-up for the room-mode benchmarks: the app on a demo day, room mode shown."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from sessionclock.app import build
from sessionclock.core.clock import SystemClock
from sessionclock.profile import open_profile
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.clock.ticker import SecondTicker
from sessionclock.ui.desktop import Desktop
from sessionclock.ui.prompts import MessageBoxPrompts
from sessionclock.ui.room.room_window import RoomWindow


@dataclass
class RoomRun:
    """A running room clock: controller, ticker and window."""

    app: QApplication
    controller: ClockController
    ticker: SecondTicker
    room: RoomWindow


@contextmanager
def running_room(*, width: int = 1280, height: int = 800) -> Iterator[RoomRun]:
    """Build the app on a demo day (a session running now) and enter room mode."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    clock = SystemClock()
    settings = tempfile.TemporaryDirectory(prefix="sessionclock-bench-")
    application = build(
        open_profile(data_dir=None, demo=True, clock=clock),
        clock=clock,
        desktop=Desktop.system(data_dir=Path(settings.name)),
        prompts=MessageBoxPrompts(),
    )
    room = application.room
    room.resize(width, height)
    room.enter()
    app.processEvents()
    try:
        yield RoomRun(
            app=app, controller=application.controller, ticker=application.ticker, room=room
        )
    finally:
        room.close()
        application.shutdown()
        settings.cleanup()


def run_for(seconds: float) -> None:
    """Run the event loop for *seconds* (``QApplication.quit`` would close the windows)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
