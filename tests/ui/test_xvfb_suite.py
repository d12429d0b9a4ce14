"""Runs the real-display tests (``tests/ui/xvfb``) under Xvfb with openbox and trayer.

The session fixture starts a display (``tests/support/xserver.py``: Xvfb, the ``openbox`` window
manager, which keyboard focus and fullscreen need, and ``trayer``, a system tray host), then the
test runs pytest on the folder in a subprocess with ``QT_QPA_PLATFORM=xcb`` and asserts that it
passed: a QApplication cannot change platform inside one process, and the main suite runs
offscreen.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.xserver import XDisplay, x_display

HERE = Path(__file__).parent
ROOT = HERE.parent.parent


@pytest.fixture(scope="session")
def display() -> Iterator[XDisplay]:
    """Start Xvfb, openbox and trayer on a free display."""
    with x_display(width=1280, height=800) as started:
        yield started


@pytest.mark.xvfb
def test_real_display_suite_passes(display: XDisplay) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE / "xvfb")],
        cwd=ROOT,
        env=display.env(QT_QPA_PLATFORM="xcb", SESSIONCLOCK_XVFB_RUNNER="1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, summary
    assert " passed" in result.stdout, summary
    assert " skipped" not in result.stdout, summary
