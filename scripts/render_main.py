"""Render the main window in every phase to PNG, for review by eye, at 1280x800 (a tablet in
landscape), 1366x768 and 1280x720 (small laptops).

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

SIZES = ((1280, 800), (1366, 768), (1280, 720))


def main() -> int:
    """Render one PNG per phase and size and print where they went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/main")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    for phase in OFFSETS:
        application = demo_application(phase)
        window = application.window
        for width, height in SIZES:
            window.resize(width, height)
            window.show()
            app.processEvents()
            path = out / f"main-{phase.value}-{width}x{height}.png"
            window.grab().save(str(path))
            print(path)
        application.shutdown()
        window.close()
        window.deleteLater()
    return 0


if __name__ == "__main__":
    sys.exit(main())
