"""The real app as a separate process on a real X display: quitting, closing, fitting the screen.

Each test starts Xvfb (with openbox, and trayer as the tray host where a tray is wanted) at the
screen size it needs, runs ``python -m sessionclock --demo --data-dir DIR`` on it, and acts as a
person would, through ``xdotool``: keys, the window manager's close, clicks on the tray icon.
Window sizes are read by ``tests/support/app_probe.py``, which runs the same app and prints where
its buttons are. Every wait polls with a deadline.
"""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.xserver import XDisplay, wait_until, x_display

pytestmark = pytest.mark.xvfb

ROOT = Path(__file__).resolve().parent.parent
START_S = 60.0
"""How long the app may take to show its window (the machine may be busy)."""
QUIT_S = 10.0
"""How long the app may take to end once asked."""


class RunningApp:
    """The app running on a display, and what a person can do to it."""

    def __init__(
        self, display: XDisplay, data_dir: Path, *, probe: bool = False, scale: str = "1"
    ) -> None:
        self.display = display
        module = "tests.support.app_probe" if probe else "sessionclock"
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, "--demo", "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=display.env(
                QT_QPA_PLATFORM="xcb",
                QT_SCALE_FACTOR=scale,
                # Nothing may land in the real home's settings, whatever happens.
                XDG_CONFIG_HOME=str(data_dir / "config"),
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def _alive(self) -> bool:
        if self.process.poll() is not None:
            _, errors = self.process.communicate()
            raise AssertionError(f"the app ended with {self.process.returncode}: {errors}")
        return True

    def _windows(self) -> dict[str, tuple[int, int, int, int]]:
        return self.display.placed_windows("--pid", str(self.process.pid))

    def main_windows(self) -> list[str]:
        """Return the app's main window, if it is shown (the only large one it has)."""
        return [window for window, (_, _, w, h) in self._windows().items() if w > 600 and h > 300]

    def _in_tray(self, rect: tuple[int, int, int, int]) -> bool:
        (panel,) = self.display.windows("--class", "trayer")
        return _inside(list(self.display.geometry(panel)), list(rect))

    def notices(self) -> list[str]:
        """Return the app's other windows: menus and the tray's notices (not the tray icon)."""
        main = self.main_windows()
        return [
            window
            for window, rect in self._windows().items()
            if window not in main and not self._in_tray(rect)
        ]

    def wait_for_window(self) -> str:
        """Wait until the main window is shown and return its id."""
        wait_until(lambda: self._alive() and bool(self.main_windows()), "window", timeout=START_S)
        return self.main_windows()[0]

    def report(self) -> dict[str, Any]:
        """Read the probe's report of the window (``probe=True`` only)."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self._alive()
        return dict(json.loads(line))

    def tray_icon(self) -> tuple[int, int]:
        """Return the centre of the app's icon in the tray host."""
        for x, y, w, h in self._windows().values():
            if self._in_tray((x, y, w, h)):
                return x + w // 2, y + h // 2
        raise AssertionError("the app has no icon in the tray")

    def click(self, point: tuple[int, int], button: str) -> None:
        """Click mouse *button* (1 left, 3 right) at *point*."""
        self.display.xdotool("mousemove", str(point[0]), str(point[1]), "click", button)

    def keys(self, window: str, *keys: str) -> None:
        """Activate *window* and type *keys* into it."""
        self.display.xdotool("windowactivate", "--sync", window)
        self.display.xdotool("key", *keys)

    def wait_for_exit(self) -> int:
        """Wait for the app to end and return its exit status."""
        try:
            return self.process.wait(timeout=QUIT_S)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the app still runs {QUIT_S:.0f} s after being asked to quit"
            ) from None

    def stop(self) -> None:
        """End the app if a test left it running."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Any]:
    """Start the app on a display (``launch(display, probe=False, scale="1")``); stop what is
    left running afterwards."""
    started: list[RunningApp] = []

    def start(display: XDisplay, *, probe: bool = False, scale: str = "1") -> RunningApp:
        running = RunningApp(display, tmp_path / "data", probe=probe, scale=scale)
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="module")
def tray_display() -> Iterator[XDisplay]:
    """A 1280x800 display with a tray host."""
    with x_display(width=1280, height=800) as display:
        yield display


def test_ctrl_q_ends_the_app_with_status_zero(tray_display: XDisplay, launch: Any) -> None:
    app = launch(tray_display)
    window = app.wait_for_window()
    app.keys(window, "ctrl+q")
    assert app.wait_for_exit() == 0


def test_closing_keeps_the_clock_in_the_tray_and_the_trays_quit_ends_it(
    tray_display: XDisplay, launch: Any, tmp_path: Path
) -> None:
    app = launch(tray_display)
    window = app.wait_for_window()
    app.keys(window, "alt+F4")  # openbox's Close: what the title bar's close button does
    wait_until(lambda: app._alive() and not app.main_windows(), "window closed")
    wait_until(lambda: app._alive() and bool(app.notices()), "the tray says the clock runs on")
    settings = configparser.ConfigParser()
    settings.read(tmp_path / "data" / "sessionclock.ini")
    assert settings.getboolean("told", "kept-in-tray"), "the tray notice is given once, and kept"

    icon = app.tray_icon()
    app.click(icon, "1")  # the icon brings the clock back: it was running all along
    wait_until(lambda: app._alive() and bool(app.main_windows()), "window back")

    wait_until(lambda: not app.notices(), "the notice gone", timeout=20)
    app.click(icon, "3")
    wait_until(lambda: app._alive() and bool(app.notices()), "the tray's menu")
    app.display.xdotool("key", "q")  # &Quit
    assert app.wait_for_exit() == 0


def test_without_a_tray_closing_the_window_ends_the_app(launch: Any) -> None:
    with x_display(width=1280, height=800, tray=False) as display:
        app = launch(display)
        window = app.wait_for_window()
        app.keys(window, "alt+F4")
        assert app.wait_for_exit() == 0


def _inside(outer: list[int], inner: list[int]) -> bool:
    ox, oy, ow, oh = outer
    x, y, w, h = inner
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [
        pytest.param(1366, 768, "1", id="1366x768"),
        pytest.param(1280, 720, "1", id="1280x720"),
        pytest.param(2736, 1824, "1.5", id="2736x1824 at 150%"),
        pytest.param(1920, 1280, "1.5", id="1920x1280 at 150%"),
    ],
)
def test_the_first_start_fits_the_screen_with_every_button_on_it(
    launch: Any, width: int, height: int, scale: str
) -> None:
    with x_display(width=width, height=height) as display:
        app = launch(display, probe=True, scale=scale)
        report = app.report()
        app.keys(app.wait_for_window(), "ctrl+q")
        assert app.wait_for_exit() == 0
    screen, frame, buttons = report["screen"], report["frame"], report["buttons"]
    assert screen[2] == round(width / float(scale))
    assert _inside(screen, frame), (screen, frame)
    assert {"Start the session now", "Sync sessions from your calendar", "Room mode"} <= set(
        buttons
    )
    outside = {name: rect for name, rect in buttons.items() if not _inside(screen, rect)}
    assert outside == {}
    # The window uses the room it has: most of a small screen, its preferred size on a large one.
    assert report["window"][3] >= min(800, screen[3] - 100)


def test_a_second_start_restores_the_size_the_practitioner_chose(launch: Any) -> None:
    with x_display(width=1366, height=768) as display:
        first = launch(display, probe=True)
        first.report()
        window = first.wait_for_window()
        display.xdotool("windowsize", "--sync", window, "1000", "600")
        wait_until(lambda: display.geometry(window)[2:] == (1000, 600), "resized")
        first.keys(window, "ctrl+q")
        assert first.wait_for_exit() == 0

        second = launch(display, probe=True)
        report = second.report()
        second.keys(second.wait_for_window(), "ctrl+q")
        assert second.wait_for_exit() == 0
    assert report["window"][2:] == [1000, 600]


def _second_launch(display: XDisplay, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Start the app again on the same profile, offscreen, and wait for it to end."""
    return subprocess.run(
        [sys.executable, "-m", "sessionclock", "--demo", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=display.env(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(data_dir / "config")),
        capture_output=True,
        text=True,
        timeout=START_S,
        check=False,
    )


def _log(data_dir: Path) -> str:
    return (data_dir / "logs" / "sessionclock.log").read_text(encoding="utf-8")


def test_a_second_launch_brings_the_running_clock_to_the_front_and_ends(
    tray_display: XDisplay, launch: Any, tmp_path: Path
) -> None:
    first = launch(tray_display)
    window = first.wait_for_window()
    tray_display.xdotool("windowminimize", "--sync", window)
    wait_until(lambda: first._alive() and not first.main_windows(), "window minimised")

    second = _second_launch(tray_display, tmp_path / "data")
    assert second.returncode == 0, second.stderr
    wait_until(lambda: first._alive() and bool(first.main_windows()), "the first clock in front")
    log = _log(tmp_path / "data")
    assert "a second launch asked this clock to come to the front" in log
    assert "Session Clock was already running: brought it to the front" in log
    assert log.count(" started (Qt ") == 1, "the second launch never started a clock of its own"

    first.keys(first.main_windows()[0], "ctrl+q")
    assert first.wait_for_exit() == 0


def test_a_second_launch_leaves_room_mode_on(
    tray_display: XDisplay, launch: Any, tmp_path: Path
) -> None:
    first = launch(tray_display)
    first.keys(first.wait_for_window(), "F11")

    def room() -> list[str]:
        size = (tray_display.width, tray_display.height)
        placed = first.display.placed_windows("--pid", str(first.process.pid))
        return [window for window, (_, _, w, h) in placed.items() if (w, h) == size]

    wait_until(lambda: first._alive() and bool(room()), "room mode")
    [room_window] = room()
    tray_display.xdotool("windowminimize", "--sync", room_window)
    wait_until(lambda: first._alive() and not room(), "room clock minimised")

    second = _second_launch(tray_display, tmp_path / "data")
    assert second.returncode == 0, second.stderr
    # The room clock comes back, full screen and in front: room mode was never left.
    wait_until(lambda: first._alive() and room() == [room_window], "the room clock in front")
    wait_until(
        lambda: tray_display.xdotool("getactivewindow").strip() == room_window, "room active"
    )
    first.keys(room_window, "Escape")
    wait_until(lambda: first._alive() and not room(), "room mode left")
    first.keys(first.main_windows()[0], "ctrl+q")
    assert first.wait_for_exit() == 0
