"""A ticker aligned to the wall-clock second boundary."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from sessionclock.core.clock import Clock

# Fire this long after the boundary, so a timer that wakes a little early still lands in the new
# second instead of showing the old one again.
_LANDING_MS = 3


class SecondTicker(QObject):
    """Emit ``ticked`` just after each wall-clock second begins.

    The delay to the next boundary is computed from the clock every time, so the ticker realigns
    itself after a sleep, a clock change or a slow tick instead of drifting like a repeating timer.

    Signals:
        ticked: emitted once per second, a few milliseconds after the boundary.
    """

    ticked = Signal()

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        """Start ticking at the next second boundary."""
        self._arm()

    def stop(self) -> None:
        """Stop ticking."""
        self._timer.stop()

    def is_active(self) -> bool:
        """Return whether the ticker is running."""
        return self._timer.isActive()

    def delay_to_next_second_ms(self) -> int:
        """Return the milliseconds from now to just after the next second boundary."""
        micro = self._clock.now().microsecond
        return (1_000_000 - micro) // 1000 + _LANDING_MS

    def _arm(self) -> None:
        self._timer.start(self.delay_to_next_second_ms())

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._arm()
        self.ticked.emit()
