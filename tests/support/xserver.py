"""A throwaway X display for tests: Xvfb with the openbox window manager and a trayer tray host.

Xvfb picks its own free display number (``-displayfd``), so test runs side by side on one machine
never race for the same number. Everything started is stopped on exit. ``xdotool`` drives the
display from outside, as a person at the keyboard and mouse would.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = ("Xvfb", "openbox", "trayer", "xdotool")
"""The Debian tools a display needs (installed by ``scripts/_common.sh``)."""

TRAY_HEIGHT = 32
"""Height of the trayer panel along the top edge of the screen."""


class XServerError(RuntimeError):
    """The display or one of its helpers did not come up."""


def missing_tools() -> list[str]:
    """Return the tools of ``TOOLS`` that are not installed."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def wait_until(
    predicate: Callable[[], bool], what: str, *, timeout: float = 30.0, interval: float = 0.05
) -> None:
    """Poll *predicate* until it is true; raise ``TimeoutError`` naming *what* at the deadline."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


@dataclass
class XDisplay:
    """A running X display.

    Attributes:
        name: the display, e.g. ``:93``.
        width: the screen's width in pixels.
        height: the screen's height in pixels.
        processes: the server and its helpers, in the order they were started.
    """

    name: str
    width: int
    height: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        """Return this process's environment pointed at the display (and *extra*)."""
        env = {**os.environ, "DISPLAY": self.name, **extra}
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def xdotool(self, *args: str, check: bool = True) -> str:
        """Run ``xdotool`` on this display and return what it printed."""
        result = subprocess.run(
            ["xdotool", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
        if check and result.returncode != 0:
            raise XServerError(f"xdotool {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def windows(self, *search: str) -> list[str]:
        """Return the ids of the windows ``xdotool search`` finds (visible ones only)."""
        found = self.xdotool("search", "--onlyvisible", *search, check=False)
        return found.split()

    def placed_windows(self, *search: str) -> dict[str, tuple[int, int, int, int]]:
        """Return the geometry of each window ``windows`` finds, by id, leaving out any that
        closed in between."""
        placed = {}
        for window in self.windows(*search):
            try:
                placed[window] = self.geometry(window)
            except XServerError:
                continue  # gone between the search and the question: a closing menu or notice
        return placed

    def geometry(self, window: str) -> tuple[int, int, int, int]:
        """Return (x, y, width, height) of *window* on the screen."""
        values: dict[str, int] = {}
        for line in self.xdotool("getwindowgeometry", "--shell", window).splitlines():
            key, _, value = line.partition("=")
            if key in ("X", "Y", "WIDTH", "HEIGHT"):
                values[key] = int(value)
        return values["X"], values["Y"], values["WIDTH"], values["HEIGHT"]

    def stop(self) -> None:
        """Stop the helpers and the server."""
        for process in reversed(self.processes):
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


def _read_display_number(fd: int, server: subprocess.Popen[bytes], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    text = b""
    while not text.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise XServerError(f"Xvfb did not say its display within {timeout:.0f} s")
        if server.poll() is not None:
            raise XServerError(f"Xvfb exited early with status {server.returncode}")
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(fd, 32)
            if not chunk:
                raise XServerError("Xvfb closed its display pipe without a number")
            text += chunk
    return int(text.strip())


@contextmanager
def x_display(*, width: int = 1280, height: int = 800, tray: bool = True) -> Iterator[XDisplay]:
    """Run Xvfb at *width* x *height* with openbox (and trayer along the top when *tray*)."""
    missing = missing_tools()
    if missing:
        raise XServerError(f"missing Debian tools for the X display: {missing}")
    quiet = subprocess.DEVNULL
    read_end, write_end = os.pipe()
    try:
        server = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                f"{width}x{height}x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_end,),
            stdout=quiet,
            stderr=quiet,
        )
        os.close(write_end)
        write_end = -1
        display = XDisplay(name="", width=width, height=height, processes=[server])
        try:
            display.name = f":{_read_display_number(read_end, server, 30)}"
            with tempfile.TemporaryDirectory(prefix="sessionclock-x-") as folder:
                # openbox runs --startup once it manages the screen: that is when it is ready.
                ready = Path(folder) / "openbox-ready"
                display.processes.append(
                    subprocess.Popen(
                        ["openbox", "--startup", f"touch {ready}"],
                        env=display.env(),
                        stdout=quiet,
                        stderr=quiet,
                    )
                )
                wait_until(ready.exists, "openbox")
            if tray:
                trayer = subprocess.Popen(
                    [
                        *("trayer", "--edge", "top", "--align", "right"),
                        *("--widthtype", "pixel", "--width", "200"),
                        *("--height", str(TRAY_HEIGHT), "--SetDockType", "true"),
                        # Reserve the panel's strip, as a desktop's own panel does.
                        *("--SetPartialStrut", "true"),
                    ],
                    env=display.env(),
                    stdout=quiet,
                    stderr=quiet,
                )
                display.processes.append(trayer)

                def trayer_mapped() -> bool:
                    if trayer.poll() is not None:
                        raise XServerError(f"trayer exited with status {trayer.returncode}")
                    return bool(display.windows("--class", "trayer"))

                wait_until(trayer_mapped, "trayer")
            yield display
        finally:
            display.stop()
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
