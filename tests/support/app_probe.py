"""Run the real app (``sessionclock.app.main`` with the given arguments) and report where its
main window and every button in it are, for tests that look at the app from outside.

Once the main window is shown with the day loaded, one line of JSON goes to stdout:
``{"screen": [x, y, w, h], "frame": [...], "window": [...], "buttons": {text: [...]}}`` with
every rectangle in global screen coordinates (``screen`` is the screen's available area). Then
the app runs on as usual until it is quit. Usage: ``python -m tests.support.app_probe ARGS...``
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QRect, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication

from sessionclock.app import main
from sessionclock.ui.main.main_window import MainWindow


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def report(window: MainWindow) -> dict[str, object]:
    """Return where *window* and its visible buttons are on the screen."""
    buttons: dict[str, list[int]] = {}
    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window):
            name = button.accessibleName() or button.text()
            buttons[name] = _rect(QRect(button.mapToGlobal(button.rect().topLeft()), button.size()))
    return {
        "screen": _rect(window.screen().availableGeometry()),
        "frame": _rect(window.frameGeometry()),
        "window": _rect(window.geometry()),
        "buttons": buttons,
    }


def main_window() -> MainWindow | None:
    """Return the app's main window once it is shown with the day's sessions in it."""
    for widget in QApplication.topLevelWidgets():
        if (
            isinstance(widget, MainWindow)
            and widget.isVisible()
            and widget.schedule.model.rowCount() > 0
        ):
            return widget
    return None


def run(argv: list[str]) -> int:
    """Run the app on *argv*, reporting its window once as soon as it is ready."""
    app = QApplication(sys.argv[:1])
    timer = QTimer(app)

    def check() -> None:
        window = main_window()
        if window is not None:
            timer.stop()
            print(json.dumps(report(window)), flush=True)

    timer.timeout.connect(check)
    timer.start(50)
    return main(argv)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
