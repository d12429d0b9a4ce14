"""CPU used by the running clock (main window, demo day, a session running) over a period.

The app runs in its own process; it reads its own CPU time (user + system) once the window has
painted and again after the period, so start-up is not counted. Goal: under 1% of one core.

Usage: .venv/bin/python benchmarks/clock_cpu.py [--seconds 60] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

CHILD = r"""
import sys, time
seconds = float(sys.argv[1])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sessionclock.app import build, open_profile
from sessionclock.core.clock import SystemClock

app = QApplication(sys.argv[:1])
clock = SystemClock()
application = build(open_profile(data_dir=None, demo=True, clock=clock), clock=clock)
application.window.show()
app.processEvents()
ticks = []
application.ticker.ticked.connect(lambda: ticks.append(1))
cpu0, wall0 = time.process_time(), time.perf_counter()
QTimer.singleShot(int(seconds * 1000), app.quit)
app.exec()
cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
print(f"{cpu} {wall} {len(ticks)} {application.controller.state.phase}")
application.shutdown()
"""


def main() -> int:
    """Run the clock for the period and print its CPU share."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--platform", default="offscreen")
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(args.seconds)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split()
    cpu, wall, ticks, phase = float(out[0]), float(out[1]), int(out[2]), out[3]
    print(f"platform: {args.platform}, phase: {phase}, {ticks} ticks in {wall:.1f} s")
    print(f"  CPU time : {cpu * 1000:.0f} ms")
    print(f"  CPU share: {100 * cpu / wall:.3f}% of one core  (goal: under 1%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
