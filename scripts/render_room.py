"""Render room mode to PNG at 1920x1080, 1280x800 and 800x1280 for every theme and phase.

For review by eye. Usage: .venv/bin/python scripts/render_room.py [OUTPUT_DIR]
(default: screenshots/room; the folder is git-ignored).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from sessionclock.core.clock import FixedClock
from sessionclock.core.countdown import Phase
from sessionclock.core.demo import demo_day
from sessionclock.core.keystore import MemoryKeyStore
from sessionclock.core.preferences import DisplayPreferences, ThemeName
from sessionclock.core.settings import ClockSettings
from sessionclock.store.database import Database
from sessionclock.ui.controller import ClockController
from sessionclock.ui.platform.wakelock import NullScreenAwake
from sessionclock.ui.room_window import RoomWindow

TZ = ZoneInfo("America/Toronto")
BASE = datetime(2026, 11, 10, 11, 0, tzinfo=TZ)
SIZES = ((1920, 1080), (1280, 800), (800, 1280))

# Minutes after BASE at which each phase shows, for the demo day built around BASE.
OFFSETS = {
    Phase.BEFORE_FIRST: -200,
    Phase.HANDS_ON: 0,
    Phase.WRAP_UP: 37,
    Phase.TURNOVER: 45,
    Phase.OVERTIME: 48,
    Phase.DAY_DONE: 600,
}


def main() -> int:
    """Render one PNG per theme, phase and size and print where they went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/room")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        database = Database.open(Path(folder) / "render.db")
        for phase, minutes in OFFSETS.items():
            repository = database.repository(database.create_account(), MemoryKeyStore())
            for session in demo_day(BASE):
                repository.add(session)
            clock = FixedClock(BASE + timedelta(minutes=minutes))
            controller = ClockController(clock=clock, store=repository, settings=ClockSettings())
            if phase is Phase.OVERTIME:
                clock.current = BASE
                controller.tick()
                controller.start_now()
                clock.current = BASE + timedelta(minutes=minutes)
            controller.reload()
            for name in ThemeName:
                room = RoomWindow(
                    controller,
                    display=DisplayPreferences(room_theme=name),
                    screen_awake=NullScreenAwake(),
                )
                for width, height in SIZES:
                    room.resize(width, height)
                    room.show()
                    controller.tick()
                    app.processEvents()
                    assert controller.state.phase is phase, (phase, controller.state.phase)
                    path = out / f"room-{name.value}-{phase.value}-{width}x{height}.png"
                    room.grab().save(str(path))
                    print(path)
                room.close()
                room.deleteLater()
        database.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
