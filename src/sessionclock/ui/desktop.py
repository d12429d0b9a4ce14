"""What the app uses of the computer it runs on, handed to ``Application`` as one bundle.

``Desktop.system`` gathers the real things (the wake lock and login item for this operating
system, the system tray if the desktop has one, the sound outputs, this computer's settings file);
tests build a ``Desktop`` of fakes instead (``tests/support/desktop.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from sessionclock.platform.autostart import LoginItem, create_login_item
from sessionclock.platform.wakelock import ScreenAwake, create_screen_awake
from sessionclock.ui.notices.chime_player import Sound, audio_output_count, qt_sound

SETTINGS_FILE = "sessionclock.ini"
"""The name of this computer's settings file inside a ``--data-dir`` folder."""

_GEOMETRY = "window/geometry"
_SPLITTER = "window/splitter"
_TOLD = "told/"


class ComputerSettings:
    """What this computer remembers outside any profile: where the main window was, and which
    one-time notices were given.

    Never anything about clients or sessions: those belong to the profile, in the database.
    """

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    @classmethod
    def at(cls, path: Path) -> ComputerSettings:
        """Return the settings kept in the file at *path* (created when first written)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @classmethod
    def for_user(cls) -> ComputerSettings:
        """Return the settings in the per-user folder: ``~/.config/SessionClock/SessionClock.ini``
        (Linux, macOS) or ``%APPDATA%\\SessionClock\\SessionClock.ini`` (Windows)."""
        return cls(
            QSettings(
                QSettings.Format.IniFormat,
                QSettings.Scope.UserScope,
                "SessionClock",
                "SessionClock",
            )
        )

    @property
    def path(self) -> Path:
        """Return the file the settings are kept in."""
        return Path(self._settings.fileName())

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def window_geometry(self) -> QByteArray | None:
        """Return the main window's saved geometry (``QWidget.saveGeometry``), if any."""
        return self._bytes(_GEOMETRY)

    def splitter_state(self) -> QByteArray | None:
        """Return the saved state of the splitter between clock and schedule, if any."""
        return self._bytes(_SPLITTER)

    def save_window(self, *, geometry: QByteArray, splitter: QByteArray) -> None:
        """Remember the main window's geometry and its splitter state."""
        self._settings.setValue(_GEOMETRY, geometry)
        self._settings.setValue(_SPLITTER, splitter)
        self._settings.sync()

    def was_told(self, notice: str) -> bool:
        """Return whether the one-time *notice* was already given on this computer."""
        return bool(self._settings.value(_TOLD + notice, False, type=bool))

    def mark_told(self, notice: str) -> None:
        """Remember that the one-time *notice* was given."""
        self._settings.setValue(_TOLD + notice, True)
        self._settings.sync()


@dataclass(frozen=True, slots=True)
class Desktop:
    """The platform services the running app uses.

    Attributes:
        screen_awake: keeps the screen on while a session runs in room mode.
        login_item: starts the app when the practitioner logs in.
        tray_available: whether the desktop has a system tray (without one, notices go to the
            window's banner and closing the window quits).
        audio_outputs: how many sound outputs there are (none: reminders cue visually only).
        sound: makes a sound effect for a WAV file.
        settings: what this computer remembers outside any profile.
    """

    screen_awake: ScreenAwake
    login_item: LoginItem
    tray_available: Callable[[], bool]
    audio_outputs: Callable[[], int]
    sound: Callable[[str, QObject], Sound]
    settings: ComputerSettings

    @classmethod
    def system(cls, *, data_dir: Path | None = None) -> Desktop:
        """Return the real services of this computer.

        Args:
            data_dir: keep this computer's settings in this folder (``--data-dir``) instead of
                the platform's per-user settings folder.
        """
        settings = (
            ComputerSettings.at(data_dir / SETTINGS_FILE)
            if data_dir is not None
            else ComputerSettings.for_user()
        )
        return cls(
            screen_awake=create_screen_awake(),
            login_item=create_login_item(),
            tray_available=QSystemTrayIcon.isSystemTrayAvailable,
            audio_outputs=audio_output_count,
            sound=qt_sound,
            settings=settings,
        )


def bring_to_front(window: QWidget) -> None:
    """Raise *window* above the others and give it the keyboard."""
    # The offscreen platform (tests, renders) has no stacking to change and says so.
    if QGuiApplication.platformName() != "offscreen":
        window.raise_()
    window.activateWindow()
