"""Startup to first painted window: Session Clock (demo profile) against a bare PySide6 window.

Each run is a fresh process; the time is taken from just before the process is started to the
moment its window reports its first paint, and to the moment today's schedule is painted from
the opened store. Goal: Session Clock takes at most 2x the bare window to its first paint.

``benchmarks/app_start_history.py`` times the same start on profiles with stored history.

Usage: .venv/bin/python benchmarks/startup.py [--runs N] [--platform offscreen|xcb]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

KEYS_VARIABLE = "SESSIONCLOCK_BENCH_KEYS"
"""The key store entries of a ``profile`` run, as JSON ``[[service, user, secret], ...]``."""

CHILD = r"""
import json, os, statistics, sys, time
mode = sys.argv[1]
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

class Paints(QObject):
    def __init__(self, ready, after_ready):
        super().__init__()
        self.ready = ready
        self.after_ready = after_ready
        self.first = True
        self.done = False
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            if self.first:
                print("painted", flush=True)
                self.first = False
            if self.ready(watched):
                self.done = True
                print("ready", flush=True)
                QTimer.singleShot(0, self.after_ready)
        return False

app = QApplication(sys.argv[:1])
if mode == "bare":
    window = QWidget()
    window.resize(1280, 800)
    watched = [window]
    ready = lambda widget: True
    after_ready = app.quit
else:
    # What `sessionclock` does: show the window, then open the profile once it has painted.
    import tempfile
    from pathlib import Path
    from sessionclock.app import Application
    from sessionclock.core.clock import SystemClock
    from sessionclock.profile import open_profile
    from sessionclock.ui.desktop import Desktop
    from sessionclock.ui.prompts import MessageBoxPrompts
    if mode == "demo":
        data_dir, demo = None, True
    else:
        # A profile on disk; its key comes from an in-memory key store filled by the parent.
        import keyring
        from tests.support.keyrings import InMemoryKeyring
        backend = InMemoryKeyring()
        for service, user, secret in json.loads(os.environ["SESSIONCLOCK_BENCH_KEYS"]):
            backend.passwords[(service, user)] = secret
        keyring.set_keyring(backend)
        data_dir, demo = Path(sys.argv[2]), False
    settings = tempfile.TemporaryDirectory(prefix="sessionclock-bench-")
    clock = SystemClock()
    application = Application(
        clock,
        desktop=Desktop.system(data_dir=Path(settings.name)),
        prompts=MessageBoxPrompts(),
    )
    window = application.window
    schedule = window.schedule
    # Today's schedule is painted: its table (or the "no sessions" note) paints after the store
    # was attached.
    watched = [window, window.countdown, schedule.table.viewport(), schedule.empty_label]
    ready = lambda widget: application.controller.has_store and (
        widget is schedule.table.viewport() or widget is schedule.empty_label
    )
    window.painted_once.connect(lambda: QTimer.singleShot(0, lambda: application.open(
        open_profile(data_dir=data_dir, demo=demo, clock=clock))))

    def after_ready():
        # What each second costs afterwards: a tick of the clock and the repaint it causes.
        costs = []
        for _ in range(7):
            started = time.perf_counter()
            application.controller.tick()
            app.processEvents()
            costs.append(time.perf_counter() - started)
        rows = schedule.model.rowCount()
        print(f"tick {statistics.median(costs) * 1000:.3f} rows {rows}", flush=True)
        app.quit()

spy = Paints(ready, after_ready)
for widget in watched:
    widget.installEventFilter(spy)
window.show()
app.exec()
if mode != "bare":
    application.shutdown()
"""


@dataclass(frozen=True, slots=True)
class Start:
    """One start, in seconds from just before the process was started.

    Attributes:
        painted: to the window's first paint.
        ready: to today's schedule painted from the store.
        tick: what one tick of the clock costs afterwards, with its repaint (seconds; 0 for the
            bare window).
        rows: the sessions the schedule shows.
    """

    painted: float
    ready: float
    tick: float = 0.0
    rows: int = 0


def once(mode: str, env: dict[str, str], *args: str) -> Start:
    """Start the child once in *mode* (bare, demo, or profile with its folder in *args*)."""
    start = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPOSITORY,
    ) as child:
        assert child.stdout is not None
        first = child.stdout.readline()
        painted = time.perf_counter() - start
        line = first if first.strip() == "ready" else child.stdout.readline()
        ready = time.perf_counter() - start
        rest = child.stdout.read().split()
        child.wait(timeout=120)
    if first.strip() not in ("painted", "ready") or line.strip() != "ready":
        raise RuntimeError(f"{mode} window never painted")
    if mode == "bare":
        return Start(painted, ready)
    if rest[:1] != ["tick"] or rest[2:3] != ["rows"]:
        raise RuntimeError(f"{mode}: no tick figures")
    return Start(painted, ready, tick=float(rest[1]) / 1000, rows=int(rest[3]))


def main() -> int:
    """Run both modes alternately and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--platform", default="offscreen")
    args = parser.parse_args()
    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    once("bare", env)  # warm the file cache for both
    once("demo", env)
    results: dict[str, list[Start]] = {"bare": [], "demo": []}
    for _ in range(args.runs):
        for mode in results:
            results[mode].append(once(mode, env))
    bare = statistics.median(s.painted for s in results["bare"])
    painted = statistics.median(s.painted for s in results["demo"])
    ready = statistics.median(s.ready for s in results["demo"])
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
