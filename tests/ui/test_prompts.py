"""The message boxes behind ``MessageBoxPrompts``: what they ask, and which answer counts as yes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from sessionclock.ui.prompts import MessageBoxPrompts

Button = QMessageBox.StandardButton


Seen = tuple[str, str, QMessageBox.Icon, Button]


def answer_with(button: Button, seen: list[Seen]) -> QTimer:
    """Press *button* in the next message box that opens, noting what the box showed."""
    timer = QTimer()

    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            timer.stop()
            seen.append((box.windowTitle(), box.text(), box.icon(), box.standardButtons()))
            box.button(button).click()

    timer.timeout.connect(press)
    timer.start(10)
    return timer


@pytest.mark.parametrize(
    ("serious", "button", "said_yes", "icon", "buttons"),
    [
        (False, Button.Yes, True, QMessageBox.Icon.Question, Button.Yes | Button.No),
        (False, Button.No, False, QMessageBox.Icon.Question, Button.Yes | Button.No),
        (True, Button.Yes, True, QMessageBox.Icon.Warning, Button.Yes | Button.Cancel),
        (True, Button.Cancel, False, QMessageBox.Icon.Warning, Button.Yes | Button.Cancel),
    ],
)
def test_confirm(
    qtbot: QtBot,
    serious: bool,
    button: Button,
    said_yes: bool,
    icon: QMessageBox.Icon,
    buttons: Button,
) -> None:
    seen: list[Seen] = []
    timer = answer_with(button, seen)
    assert MessageBoxPrompts().confirm(None, "Title", "Sure?", serious=serious) is said_yes
    timer.stop()
    assert seen == [("Title", "Sure?", icon, buttons)]


@pytest.mark.parametrize(
    ("serious", "icon"), [(False, QMessageBox.Icon.Warning), (True, QMessageBox.Icon.Critical)]
)
def test_report(qtbot: QtBot, serious: bool, icon: QMessageBox.Icon) -> None:
    seen: list[Seen] = []
    timer = answer_with(Button.Ok, seen)
    MessageBoxPrompts().report(None, "Title", "It went wrong.", serious=serious)
    timer.stop()
    assert seen == [("Title", "It went wrong.", icon, Button.Ok)]
