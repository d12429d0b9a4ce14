"""Unexpected errors in any thread: logged without their messages, announced with a report."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import PySide6
import pytest
from PySide6.QtCore import QTimer, qVersion
from pytestqt.qtbot import QtBot

from sessionclock import __version__
from sessionclock.ui.diagnostics import CrashReporter, runtime

CLIENT = "Maya Okafor"


@pytest.fixture
def reporter() -> Iterator[CrashReporter]:
    installed = CrashReporter()
    installed.install()
    yield installed
    installed.uninstall()


def test_the_runtime_names_this_app_and_its_qt() -> None:
    now = runtime()
    assert (now.app_version, now.qt_version, now.pyside_version) == (
        __version__,
        qVersion(),
        PySide6.__version__,
    )
    assert not now.frozen


@pytest.mark.allow_warning_logs
def test_an_error_in_a_slot_is_reported_and_the_loop_goes_on(
    qtbot: QtBot, reporter: CrashReporter
) -> None:
    def fail() -> None:
        secret = CLIENT  # noqa: F841 (a local value the report must leave out)
        raise KeyError(CLIENT)

    with qtbot.waitSignal(reporter.crashed, timeout=5000) as blocker:
        QTimer.singleShot(0, fail)
    report = blocker.args[0]
    assert "KeyError (message left out)" in report
    assert "in fail" in report
    assert "Thread: MainThread" in report
    assert CLIENT not in report
    # The event loop is still there: a later timer still fires.
    with qtbot.waitSignal(reporter.crashed, timeout=5000):
        QTimer.singleShot(0, fail)


@pytest.mark.allow_warning_logs
def test_an_error_in_a_worker_thread_is_reported(qtbot: QtBot, reporter: CrashReporter) -> None:
    def work() -> None:
        raise ValueError(CLIENT)

    with qtbot.waitSignal(reporter.crashed, timeout=5000) as blocker:
        thread = threading.Thread(target=work, name="calendar-worker")
        thread.start()
        thread.join()
    assert "Thread: calendar-worker" in blocker.args[0]
    assert "ValueError (message left out)" in blocker.args[0]


def test_uninstall_gives_back_the_hooks_it_found() -> None:
    before = (sys.excepthook, threading.excepthook)
    reporter = CrashReporter()
    reporter.install()
    assert (sys.excepthook, threading.excepthook) != before
    reporter.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_ctrl_c_is_left_to_python(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    seen: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, error, tb: seen.append(kind))
    reporter = CrashReporter()
    reporter.install()
    try:
        with qtbot.assertNotEmitted(reporter.crashed):
            sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    finally:
        reporter.uninstall()
    assert seen == [KeyboardInterrupt]
