"""Collect reference cycles on the GUI thread only (see ``sessionclock.core.cycles``)."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

from sessionclock.core.cycles import collect_due

INTERVAL_MS = 1000
"""How often the GUI thread looks whether a collection is due (each look costs microseconds)."""


class GuiThreadCollector(QObject):
    """Turns Python's automatic cycle collection off and collects on a GUI-thread timer."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(collect_due)
        self._timer.start(interval_ms)

    def stop(self) -> None:
        """Stop collecting here and give collection back to Python, as it was."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
