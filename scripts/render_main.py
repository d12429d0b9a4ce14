"""Render the main window at 1280x800 in every phase to PNG, for review by eye.

Usage: .venv/bin/python scripts/render_main.py [OUTPUT_DIR]   (default: screenshots/main)
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from sessionclock.app import Application, open_profile
from sessionclock.core.clock import FixedClock
from sessionclock.core.countdown import Phase

TZ = ZoneInfo("America/Toronto")
BASE = datetime(2026, 11, 10, 11, 0, tzinfo=TZ)

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
    """Render one PNG per phase and print where they went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/main")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    for phase, minutes in OFFSETS.items():
        clock = FixedClock(BASE)
        profile = open_profile(data_dir=None, demo=True, clock=clock)  # a demo day around BASE
        application = Application(clock)
        if phase is Phase.OVERTIME:
            # The practitioner started the running session by hand and let it run over.
            application.open(profile)
            application.controller.start_now()
        clock.current = BASE + timedelta(minutes=minutes)
        if application.profile is None:
            application.open(profile)
        application.controller.tick()
        window = application.window
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        assert application.controller.state.phase is phase, (phase, application.controller.state)
        path = out / f"main-{phase.value}.png"
        window.grab().save(str(path))
        print(path)
        application.shutdown()
        window.close()
        window.deleteLater()
    return 0


if __name__ == "__main__":
    sys.exit(main())
