"""Delay between each wall-clock second boundary and the room-mode repaint that shows it.

Goal: median under 20 ms, worst under 50 ms. The countdown's paint is timed when it finishes;
a paint that shows new digits is the one that shows the new second, and its delay is the time
since that second began.

Usage: .venv/bin/python benchmarks/repaint_latency.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QObject

from benchmarks._room import run_for, running_room


class PaintTimer(QObject):
    """Times the end of each paint of the countdown that shows new digits."""

    def __init__(self, widget: QObject) -> None:
        super().__init__()
        self.widget = widget
        self.delays_ms: list[float] = []
        self._last = ""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget and event.type() == QEvent.Type.Paint:
            # Let the widget paint, then read the time: the delay includes the paint itself.
            watched.event(event)
            now = time.time()
            face = getattr(watched, "face", None)
            digits = getattr(face, "digits", "")
            if digits != self._last:
                self._last = digits
                self.delays_ms.append((now - math.floor(now)) * 1000)
            return True
        return False


def main() -> int:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    with running_room() as run:
        timer = PaintTimer(run.room.countdown)
        run.room.countdown.installEventFilter(timer)
        run_for(2.0)
        timer.delays_ms.clear()
        run_for(args.seconds)
        run.room.countdown.removeEventFilter(timer)
    delays = sorted(timer.delays_ms)
    if not delays:
        print("no repaints seen")
        return 1
    print(f"room mode ({os.environ['QT_QPA_PLATFORM']}): {len(delays)} second changes repainted")
    print(f"  median delay: {statistics.median(delays):.1f} ms  (goal: under 20 ms)")
    print(f"  p95 delay   : {delays[int(0.95 * (len(delays) - 1))]:.1f} ms")
    print(f"  worst delay : {delays[-1]:.1f} ms  (goal: under 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
