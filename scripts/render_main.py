"""Render the main window at 1280x800 in every phase to PNG, for review by eye.

Usage: .venv/bin/python scripts/render_main.py [OUTPUT_DIR]   (default: screenshots/main)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from scripts._render import OFFSETS, demo_application


def main() -> int:
    """Render one PNG per phase and print where they went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/main")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    for phase in OFFSETS:
        application = demo_application(phase)
        window = application.window
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        path = out / f"main-{phase.value}.png"
        window.grab().save(str(path))
        print(path)
        application.shutdown()
        window.close()
        window.deleteLater()
    return 0


if __name__ == "__main__":
    sys.exit(main())
