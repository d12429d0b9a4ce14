"""Runs the real-display tests (``tests/ui/xvfb``) under Xvfb with openbox and trayer.

The session fixture picks a free display number, starts ``Xvfb``, the ``openbox`` window manager
(keyboard focus and fullscreen need one) and ``trayer`` (a system tray host), then the test runs
pytest on the folder in a subprocess with ``QT_QPA_PLATFORM=xcb`` and asserts that it passed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
TOOLS = ("Xvfb", "openbox", "trayer", "xdotool")


def _free_display() -> int:
    for number in range(90, 200):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    pytest.fail("no free X display number between :90 and :199")


def _wait_for(check: subprocess.Popen[bytes], predicate: object, what: str) -> None:
    assert callable(predicate)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if check.poll() is not None:
            pytest.fail(f"{what} exited early with status {check.returncode}")
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"{what} did not come up within 30 s")


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """Start Xvfb, openbox and trayer on a free display and yield its name (``:N``)."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"missing Debian tools for the tray tests: {missing} (scripts/_common.sh)")
    number = _free_display()
    display = f":{number}"
    env = {**os.environ, "DISPLAY": display}
    started: list[subprocess.Popen[bytes]] = []
    quiet = subprocess.DEVNULL
    try:
        xvfb = subprocess.Popen(
            ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=quiet,
            stderr=quiet,
        )
        started.append(xvfb)
        socket = Path(f"/tmp/.X11-unix/X{number}")
        _wait_for(xvfb, socket.exists, "Xvfb")
        wm = subprocess.Popen(["openbox"], env=env, stdout=quiet, stderr=quiet)
        started.append(wm)
        tray = subprocess.Popen(
            [
                "trayer",
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "pixel",
                "--width",
                "200",
                "--height",
                "32",
                "--SetDockType",
                "true",
            ],
            env=env,
            stdout=quiet,
            stderr=quiet,
        )
        started.append(tray)

        def trayer_mapped() -> bool:
            found = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--class", "trayer"],
                env=env,
                capture_output=True,
                check=False,
            )
            return found.returncode == 0 and bool(found.stdout.strip())

        _wait_for(tray, trayer_mapped, "trayer")
        yield display
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.xvfb
def test_real_display_suite_passes(x_display: str) -> None:
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "SESSIONCLOCK_XVFB_RUNNER": "1",
    }
    env.pop("WAYLAND_DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE / "xvfb")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, summary
    assert " passed" in result.stdout, summary
    assert " skipped" not in result.stdout, summary
