"""Reference cycles are collected on the GUI thread, never in a worker that happens to allocate."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sessionclock.ui.cycles import GuiThreadCollector


class _Node:
    def __init__(self) -> None:
        self.me = self


def test_automatic_collection_is_off_while_it_runs_and_back_after(qapp: QApplication) -> None:
    gc.enable()
    try:
        collector = GuiThreadCollector(interval_ms=10)
        assert not gc.isenabled()
        collector.stop()
        assert gc.isenabled()
    finally:
        gc.disable()  # as the test suite runs: collected between tests


def test_a_cycle_is_collected_on_the_gui_thread_while_a_worker_allocates(qtbot: QtBot) -> None:
    collector = GuiThreadCollector(interval_ms=10)
    try:
        on_gui_thread: list[bool] = []
        node = _Node()
        weakref.finalize(
            node,
            lambda: on_gui_thread.append(threading.current_thread() is threading.main_thread()),
        )
        del node

        def churn() -> None:
            for _ in range(50_000):  # garbage cycles, far past every automatic threshold
                _Node()

        worker = threading.Thread(target=churn)
        worker.start()
        worker.join()
        assert on_gui_thread == [], "the worker's allocations collected nothing"
        qtbot.waitUntil(lambda: bool(on_gui_thread), timeout=5000)
        assert on_gui_thread == [True]
    finally:
        collector.stop()
