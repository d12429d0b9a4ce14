"""What the app uses of the computer: this computer's settings, and the real desktop's bundle."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray
from PySide6.QtWidgets import QApplication

from sessionclock.ui.desktop import SETTINGS_FILE, ComputerSettings, Desktop


def test_the_window_and_told_notices_are_remembered_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "computer.ini"
    first = ComputerSettings.at(path)
    assert first.window_geometry() is None
    assert first.splitter_state() is None
    assert not first.was_told("kept-in-tray")
    first.save_window(geometry=QByteArray(b"geometry"), splitter=QByteArray(b"splitter"))
    first.mark_told("kept-in-tray")

    again = ComputerSettings.at(path)  # a new start reads the file
    assert again.window_geometry() == QByteArray(b"geometry")
    assert again.splitter_state() == QByteArray(b"splitter")
    assert again.was_told("kept-in-tray")
    assert not again.was_told("something-else")
    assert again.path == path


def test_a_data_dir_keeps_this_computers_settings_too(qapp: QApplication, tmp_path: Path) -> None:
    desktop = Desktop.system(data_dir=tmp_path)
    assert desktop.settings.path == tmp_path / SETTINGS_FILE
    assert desktop.audio_outputs() >= 0
    assert desktop.tray_available() is False  # offscreen has no tray


def test_without_a_data_dir_the_settings_are_the_users() -> None:
    path = ComputerSettings.for_user().path  # only its name is read: nothing is written
    assert path.parts[-2:] == ("SessionClock", "SessionClock.ini")
