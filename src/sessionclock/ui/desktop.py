"""What the app uses of the computer it runs on, handed to ``Application`` as one bundle.

``Desktop.system`` gathers the real things (the wake lock and login item for this operating
system, the system tray if the desktop has one, the sound outputs, this computer's settings file,
the default browser and the computer's name); tests build a ``Desktop`` of fakes instead
(``tests/support/desktop.py``).
"""

from __future__ import annotations

import platform
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QSettings, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from sessionclock.platform.autostart import LoginItem, create_login_item
from sessionclock.platform.wakelock import ScreenAwake, create_screen_awake
from sessionclock.ui.notices.chime_player import Sound, audio_output_count, qt_sound

SETTINGS_FILE = "sessionclock.ini"
"""The name of this computer's settings file inside a ``--data-dir`` folder."""

_GEOMETRY = "window/geometry"
_SPLITTER = "window/splitter"
_TOLD = "told/"
_SERVICE_URL = "service/url"
_LAST_ACCOUNT = "accounts/last"


class ComputerSettings:
    """What this computer remembers outside any profile: where the main window was, which
    one-time notices were given, the account service's address if it was set, and which local
    account was signed in last (a random id).

    Never anything about clients or sessions, never an e-mail address or a token: those belong
    to the profile, in the database, or to the key store.
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

    def service_url(self) -> str | None:
        """Return the account service address set for this computer (``service/url``), if any."""
        value = self._settings.value(_SERVICE_URL)
        return value if isinstance(value, str) and value.strip() else None

    def last_account(self) -> str | None:
        """Return the local account signed in last on this computer, if any."""
        value = self._settings.value(_LAST_ACCOUNT)
        return value if isinstance(value, str) and value else None

    def set_last_account(self, account_id: str | None) -> None:
        """Remember *account_id* as the one to open at the next start (None: forget)."""
        if account_id is None:
            self._settings.remove(_LAST_ACCOUNT)
        else:
            self._settings.setValue(_LAST_ACCOUNT, account_id)
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
        open_url: opens an https address in the default browser (Stripe Checkout, the customer
            portal); returns False if no browser could be started.
        computer_name: the computer's name (the default name a device signs in with).
    """

    screen_awake: ScreenAwake
    login_item: LoginItem
    tray_available: Callable[[], bool]
    audio_outputs: Callable[[], int]
    sound: Callable[[str, QObject], Sound]
    settings: ComputerSettings
    open_url: Callable[[str], bool]
    computer_name: Callable[[], str]

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
            open_url=open_in_browser,
            computer_name=computer_name,
        )


def open_in_browser(url: str) -> bool:
    """Open *url* in the default browser; return whether one could be started."""
    return QDesktopServices.openUrl(QUrl(url))


def computer_name() -> str:
    """Return this computer's name as people know it (``Front-Desk`` rather than an address)."""
    name = platform.node() or socket.gethostname()
    return name.split(".", 1)[0] or "This computer"


def bring_to_front(window: QWidget) -> None:
    """Raise *window* above the others and give it the keyboard."""
    # The offscreen platform (tests, renders) has no stacking to change and says so.
    if QGuiApplication.platformName() != "offscreen":
        window.raise_()
    window.activateWindow()
