"""Render room mode to PNG at 1920x1080, 1280x800 and 800x1280 for every theme and phase.

For review by eye. Usage: .venv/bin/python scripts/render_room.py [OUTPUT_DIR]
(default: screenshots/room; the folder is git-ignored).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from scripts._render import OFFSETS, demo_application
from sessionclock.core.preferences import DisplayPreferences, ThemeName

SIZES = ((1920, 1080), (1280, 800), (800, 1280))


def main() -> int:
    """Render one PNG per theme, phase and size and print where they went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/room")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    for phase in OFFSETS:
        application = demo_application(phase)
        room = application.room
        for name in ThemeName:
            room.apply_display(DisplayPreferences(room_theme=name))
            for width, height in SIZES:
                room.resize(width, height)
                room.show()
                application.controller.tick()
                app.processEvents()
                path = out / f"room-{name.value}-{phase.value}-{width}x{height}.png"
                room.grab().save(str(path))
                print(path)
        room.close()
        application.shutdown()
        application.window.deleteLater()
    return 0


if __name__ == "__main__":
    sys.exit(main())
