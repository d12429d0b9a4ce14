"""A ``Desktop`` of fakes for tests: nothing touches the screen saver, the login items, the
speakers or the real home folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from sessionclock.ui.desktop import ComputerSettings, Desktop
from sessionclock.ui.notices.chime_player import Sound
from tests.support.platform import FakeLoginItem, FakeScreenAwake


class SilentSound:
    """A sound effect that plays nothing."""

    def __init__(self, path: str, parent: QObject) -> None:
        self.path = path

    def setVolume(self, volume: float) -> None:
        """Ignore the volume."""

    def play(self) -> None:
        """Play nothing."""


def silent_sound(path: str, parent: QObject) -> Sound:
    """Return a ``SilentSound`` for *path*."""
    return SilentSound(path, parent)


class Browser:
    """A default browser that opens nothing and remembers every address it was given.

    Attributes:
        opened: the addresses, in order.
        works: whether opening succeeds.
    """

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.works = True

    def open(self, url: str) -> bool:
        """Remember *url*."""
        self.opened.append(url)
        return self.works


COMPUTER_NAME = "Front-Desk-PC"


def fake_desktop(
    folder: Path, *, tray: bool = False, audio_outputs: int = 0, browser: Browser | None = None
) -> Desktop:
    """Return a desktop of fakes that keeps this computer's settings in *folder*."""
    return Desktop(
        screen_awake=FakeScreenAwake(),
        login_item=FakeLoginItem(),
        tray_available=lambda: tray,
        audio_outputs=lambda: audio_outputs,
        sound=silent_sound,
        settings=ComputerSettings.at(folder / "computer.ini"),
        open_url=(browser or Browser()).open,
        computer_name=lambda: COMPUTER_NAME,
    )
