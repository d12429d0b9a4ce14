"""A real X display for tests: Xvfb with the openbox window manager, and a tray host if asked.

Keyboard focus and fullscreen need a window manager; ``trayer`` makes
``QSystemTrayIcon.isSystemTrayAvailable()`` true. Everything started is stopped on exit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TOOLS = ("Xvfb", "openbox", "xdotool")


class XDisplayError(RuntimeError):
    """The display, its window manager or its tray host could not be started."""


def _free_display() -> int:
    for number in range(90, 200):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise XDisplayError("no free X display number between :90 and :199")


def wait_for(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], what: str, timeout: float = 30
) -> None:
    """Poll *ready* until it is true; fail if *process* exits or *timeout* seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise XDisplayError(f"{what} exited early with status {process.returncode}")
        if ready():
            return
        time.sleep(0.05)
    raise XDisplayError(f"{what} did not come up within {timeout:.0f} s")


def visible_windows(env: dict[str, str], **match: str) -> list[str]:
    """Return the ids of visible windows matching xdotool's ``--name``/``--class``/``--pid``."""
    options = [arg for key, value in match.items() for arg in (f"--{key}", value)]
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", *options],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.split() if found.returncode == 0 else []


@contextmanager
def x_display(*, tray: bool, size: str = "1280x800") -> Iterator[dict[str, str]]:
    """Start Xvfb, openbox (and trayer if *tray*) on a free display; yield the environment."""
    needed = (*TOOLS, "trayer") if tray else TOOLS
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if missing:
        raise XDisplayError(f"missing Debian tools for X tests: {missing} (scripts/_common.sh)")
    number = _free_display()
    display = f":{number}"
    env = {**os.environ, "DISPLAY": display}
    env.pop("WAYLAND_DISPLAY", None)
    started: list[subprocess.Popen[bytes]] = []
    quiet = subprocess.DEVNULL
    try:
        xvfb = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
            stdout=quiet,
            stderr=quiet,
        )
        started.append(xvfb)
        wait_for(xvfb, Path(f"/tmp/.X11-unix/X{number}").exists, "Xvfb")
        wm = subprocess.Popen(["openbox"], env=env, stdout=quiet, stderr=quiet)
        started.append(wm)
        if tray:
            placement = ["--edge", "top", "--align", "right", "--widthtype", "pixel"]
            host = subprocess.Popen(
                ["trayer", *placement, "--width", "200", "--height", "32", "--SetDockType", "true"],
                env=env,
                stdout=quiet,
                stderr=quiet,
            )
            started.append(host)
            wait_for(host, lambda: bool(visible_windows(env, **{"class": "trayer"})), "trayer")
        yield env
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
