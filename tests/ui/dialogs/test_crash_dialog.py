"""The crash dialog: a calm message, the report as it will be sent, and Copy report."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from sessionclock.ui.dialogs.crash_dialog import CrashDialog
from sessionclock.ui.prompts import MessageBoxPrompts

REPORT = "Session Clock 1.0 (from Python)\n\nTraceback (most recent call last):\nKeyError\n"


def test_the_dialog_shows_the_report_and_copies_it(qtbot: QtBot) -> None:
    dialog = CrashDialog(REPORT)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.report_view.toPlainText() == REPORT
    assert dialog.report_view.isReadOnly()
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == REPORT
    assert dialog.copy_button.text() == "Copied"


def test_the_prompt_opens_one_dialog_at_a_time(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    prompts = MessageBoxPrompts()
    prompts.crashed(parent, REPORT)
    prompts.crashed(parent, "a second report while the first is open")
    dialogs = parent.findChildren(CrashDialog)
    assert [d.report for d in dialogs] == [REPORT]
    [dialog] = dialogs
    assert dialog.isVisible()
    assert dialog.windowModality() == Qt.WindowModality.WindowModal
    dialog.reject()
    prompts.crashed(parent, "after it was closed")
    qtbot.waitUntil(
        lambda: [d.report for d in parent.findChildren(CrashDialog)] == ["after it was closed"]
    )
