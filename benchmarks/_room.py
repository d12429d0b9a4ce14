"""Shared set-up for the room-mode benchmarks: a demo day in a throwaway store, room mode shown."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from sessionclock.core.clock import SystemClock
from sessionclock.core.demo import demo_day
from sessionclock.core.keystore import MemoryKeyStore
from sessionclock.core.preferences import DisplayPreferences
from sessionclock.core.settings import ClockSettings
from sessionclock.store.database import Database
from sessionclock.ui.controller import ClockController
from sessionclock.ui.platform.wakelock import NullScreenAwake
from sessionclock.ui.room_window import RoomWindow
from sessionclock.ui.ticker import SecondTicker


@dataclass
class RoomRun:
    """A running room clock: controller, ticker and window."""

    app: QApplication
    controller: ClockController
    ticker: SecondTicker
    room: RoomWindow


@contextmanager
def running_room(*, width: int = 1280, height: int = 800) -> Iterator[RoomRun]:
    """Build room mode on a demo day with a session running now, and start the ticker."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(Path(folder) / "bench.db")
        try:
            repository = database.repository(database.create_account(), MemoryKeyStore())
            for session in demo_day(clock.now() - timedelta(minutes=1)):
                repository.add(session)
            controller = ClockController(clock=clock, store=repository, settings=ClockSettings())
            controller.reload()
            room = RoomWindow(
                controller, display=DisplayPreferences(), screen_awake=NullScreenAwake()
            )
            room.resize(width, height)
            room.enter()
            ticker = SecondTicker(clock, controller)
            ticker.ticked.connect(controller.tick)
            ticker.start()
            app.processEvents()
            yield RoomRun(app=app, controller=controller, ticker=ticker, room=room)
            ticker.stop()
            room.close()
        finally:
            database.close()
