"""Startup to first painted window: Session Clock (demo profile) against a bare PySide6 window.

Each run is a fresh process; the time is taken from just before the process is started to the
moment its window reports its first paint. Goal: Session Clock takes at most 2x the bare window.

Usage: .venv/bin/python benchmarks/startup.py [--runs N] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

CHILD = r"""
import sys, time
mode = sys.argv[1]
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

class Paints(QObject):
    def __init__(self, ready):
        super().__init__()
        self.ready = ready
        self.first = True
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            if self.first:
                print("painted", flush=True)
                self.first = False
            if self.ready():
                print("ready", flush=True)
                QApplication.instance().quit()
        return False

app = QApplication(sys.argv[:1])
if mode == "bare":
    window = QWidget()
    window.resize(1280, 800)
    ready = lambda: True
else:
    # What `sessionclock --demo --data-dir DIR` does: show the window, then open the profile.
    import tempfile
    from pathlib import Path
    from sessionclock.app import Application
    from sessionclock.core.clock import SystemClock
    from sessionclock.profile import open_profile
    from sessionclock.ui.desktop import Desktop
    from sessionclock.ui.prompts import MessageBoxPrompts
    settings = tempfile.TemporaryDirectory(prefix="sessionclock-bench-")
    clock = SystemClock()
    application = Application(
        clock,
        desktop=Desktop.system(data_dir=Path(settings.name)),
        prompts=MessageBoxPrompts(),
    )
    window = application.window
    ready = lambda: application.controller.has_store and window.countdown.face is not None
    window.painted_once.connect(lambda: QTimer.singleShot(0, lambda: application.open(
        open_profile(data_dir=None, demo=True, clock=clock))))
spy = Paints(ready)
window.installEventFilter(spy)
window.countdown.installEventFilter(spy) if mode != "bare" else None
window.show()
app.exec()
if mode != "bare":
    application.shutdown()
"""


def once(mode: str, env: dict[str, str]) -> tuple[float, float]:
    """Return seconds from process start to the first paint, and to the schedule painted."""
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as child:
        assert child.stdout is not None
        first = child.stdout.readline()
        painted = time.perf_counter() - start
        line = first if first.strip() == "ready" else child.stdout.readline()
        ready = time.perf_counter() - start
        child.wait(timeout=30)
    if first.strip() not in ("painted", "ready") or line.strip() != "ready":
        raise RuntimeError(f"{mode} window never painted")
    return painted, ready


def main() -> int:
    """Run both modes alternately and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--platform", default="offscreen")
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    once("bare", env)  # warm the file cache for both
    once("app", env)
    results: dict[str, list[tuple[float, float]]] = {"bare": [], "app": []}
    for _ in range(args.runs):
        for mode in results:
            results[mode].append(once(mode, env))
    bare = statistics.median(p for p, _ in results["bare"])
    painted = statistics.median(p for p, _ in results["app"])
    ready = statistics.median(r for _, r in results["app"])
    print(f"platform: {args.platform}, runs: {args.runs} each, medians:")
    print(f"  bare PySide6 window, first paint      : {bare * 1000:7.1f} ms")
    print(
        f"  Session Clock (demo), first paint     : {painted * 1000:7.1f} ms"
        f"  = {painted / bare:.2f}x  (goal: at most 2.00x)"
    )
    print(
        f"  Session Clock (demo), schedule painted: {ready * 1000:7.1f} ms  = {ready / bare:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
