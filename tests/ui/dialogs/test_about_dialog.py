"""About: the version, Qt and PySide6, and the bundled libraries with their licences."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from sessionclock.core.crash_report import Runtime
from sessionclock.core.licences import Licence
from sessionclock.ui.dialogs.about_dialog import AboutDialog

RUNTIME = Runtime("1.2.3", "6.11.3", "6.11.3", "Linux-6.1-x86_64", "3.11.7", frozen=True)
LICENCES = (
    Licence("keyring", "25.7.0", "MIT", "Permission is hereby granted", "https://k.example"),
    Licence(
        "PySide6_Essentials", "6.11.3", "LGPL-3.0-only OR GPL-3.0-only", "", "https://pyside.org"
    ),
)


def test_versions_and_every_library_are_listed(qtbot: QtBot) -> None:
    dialog = AboutDialog(RUNTIME, LICENCES)
    qtbot.addWidget(dialog)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Session Clock 1.2.3" in texts
    assert "Qt 6.11.3, PySide6 6.11.3, Python 3.11.7" in texts
    assert dialog.windowTitle() == "About Session Clock"
    items = [dialog.libraries.topLevelItem(i) for i in range(dialog.libraries.topLevelItemCount())]
    rows = [[item.text(column) for column in range(3)] for item in items if item is not None]
    assert rows == [
        ["keyring", "25.7.0", "MIT"],
        ["PySide6_Essentials", "6.11.3", "LGPL-3.0-only OR GPL-3.0-only"],
    ]


def test_choosing_a_library_shows_its_licence_text(qtbot: QtBot) -> None:
    dialog = AboutDialog(RUNTIME, LICENCES)
    qtbot.addWidget(dialog)
    assert dialog.text.toPlainText().startswith("Permission is hereby granted")
    second = dialog.libraries.topLevelItem(1)
    assert second is not None
    dialog.libraries.setCurrentItem(second)
    shown = dialog.text.toPlainText()
    assert "PySide6_Essentials is under LGPL-3.0-only OR GPL-3.0-only" in shown
    assert "https://pyside.org" in shown
