"""Start Session Clock when the practitioner logs in.

- Windows: a value under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`` (winreg).
- macOS: a LaunchAgent plist in ``~/Library/LaunchAgents`` with ``RunAtLoad``.
- Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/sessionclock.desktop`` (by default
  ``~/.config/autostart``), per the XDG Autostart specification.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

APP_ID = "app.sessionclock.SessionClock"
RUN_VALUE_NAME = "SessionClock"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


class LoginItem(Protocol):
    """Whether the app starts at login, and the switch for it."""

    def is_enabled(self) -> bool:
        """Return True if the app is set to start at login."""
        ...

    def set_enabled(self, enabled: bool) -> None:
        """Make the app start at login, or stop it doing so.

        Raises:
            OSError: the platform refused (the settings dialog says so).
        """
        ...


def launch_command() -> list[str]:
    """Return the command that starts Session Clock as it is installed now."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = shutil.which("sessionclock")
    if script is not None:
        return [script]
    return [sys.executable, "-m", "sessionclock"]


def _desktop_quote(arg: str) -> str:
    # The Desktop Entry spec: quote arguments holding reserved characters, escaping ", `, $, \.
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`="):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def desktop_exec(command: Sequence[str]) -> str:
    """Return *command* as a Desktop Entry ``Exec`` value (``%`` doubled, arguments quoted)."""
    return " ".join(_desktop_quote(arg).replace("%", "%%") for arg in command)


class XdgAutostart:
    """Linux: an XDG autostart ``.desktop`` file.

    Attributes:
        path: where the entry is written.
        command: what the entry starts.
    """

    def __init__(self, *, config_home: Path, command: Sequence[str]) -> None:
        self.path = config_home / "autostart" / "sessionclock.desktop"
        self.command = list(command)

    def is_enabled(self) -> bool:
        """Return True if our entry exists and is not hidden."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return False
        return "\nHidden=true" not in text

    def entry(self) -> str:
        """Return the text of the desktop entry."""
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=Session Clock\n"
            "Comment=A calm session clock\n"
            f"Exec={desktop_exec(self.command)}\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
        )

    def set_enabled(self, enabled: bool) -> None:
        """Write or remove the entry."""
        if enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(self.entry(), encoding="utf-8")
            tmp.replace(self.path)
        else:
            self.path.unlink(missing_ok=True)


class LaunchAgent:
    """macOS: a per-user LaunchAgent that runs the app at load (login).

    Attributes:
        path: the plist file.
        command: what the agent starts.
    """

    def __init__(self, *, home: Path, command: Sequence[str]) -> None:
        self.path = home / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
        self.command = list(command)

    def is_enabled(self) -> bool:
        """Return True if our plist exists."""
        return self.path.is_file()

    def plist(self) -> bytes:
        """Return the agent's plist."""
        return plistlib.dumps(
            {
                "Label": APP_ID,
                "ProgramArguments": self.command,
                "RunAtLoad": True,
                "ProcessType": "Interactive",
            }
        )

    def set_enabled(self, enabled: bool) -> None:
        """Write or remove the plist (launchd reads it at the next login)."""
        if enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(self.plist())
        else:
            self.path.unlink(missing_ok=True)


class Registry(Protocol):
    """The three operations on the Run key that the Windows login item needs."""

    def get(self, name: str) -> str | None:
        """Return the value called *name*, or None."""
        ...

    def set(self, name: str, value: str) -> None:
        """Write a string value."""
        ...

    def delete(self, name: str) -> None:
        """Remove a value (no error if it is absent)."""
        ...


class WinRegRunKey:
    """``HKEY_CURRENT_USER\\...\\Run`` through winreg (Windows only; OSError elsewhere)."""

    def get(self, name: str) -> str | None:
        """Return the value called *name*, or None."""
        if sys.platform == "win32":
            import winreg

            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                    value, _ = winreg.QueryValueEx(key, name)
            except FileNotFoundError:
                return None
            return str(value)
        raise OSError("the registry exists on Windows only")

    def set(self, name: str, value: str) -> None:
        """Write a string value."""
        if sys.platform == "win32":
            import winreg

            with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)
            return
        raise OSError("the registry exists on Windows only")

    def delete(self, name: str) -> None:
        """Remove a value (no error if it is absent)."""
        if sys.platform == "win32":
            import winreg

            access = winreg.KEY_SET_VALUE
            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, access) as key:
                    winreg.DeleteValue(key, name)
            except FileNotFoundError:
                pass
            return
        raise OSError("the registry exists on Windows only")


def windows_command_line(command: Sequence[str]) -> str:
    """Return *command* quoted for the Run key (each argument in double quotes)."""
    return " ".join(f'"{arg}"' for arg in command)


class WindowsRunKey:
    """Windows: a value in the current user's Run key.

    Attributes:
        command: what the value starts.
    """

    def __init__(self, *, command: Sequence[str], registry: Registry | None = None) -> None:
        self.command = list(command)
        self._registry = registry if registry is not None else WinRegRunKey()

    def is_enabled(self) -> bool:
        """Return True if our value is in the Run key."""
        try:
            return self._registry.get(RUN_VALUE_NAME) is not None
        except OSError:
            return False

    def set_enabled(self, enabled: bool) -> None:
        """Write or remove our value."""
        if enabled:
            self._registry.set(RUN_VALUE_NAME, windows_command_line(self.command))
        else:
            self._registry.delete(RUN_VALUE_NAME)


def create_login_item(
    *,
    system: str = sys.platform,
    environ: Mapping[str, str] = os.environ,
    home: Callable[[], Path] = Path.home,
    command: Sequence[str] | None = None,
) -> LoginItem:
    """Return the login item for *system* (a ``sys.platform`` value)."""
    cmd = launch_command() if command is None else list(command)
    if system == "win32":
        return WindowsRunKey(command=cmd)
    if system == "darwin":
        return LaunchAgent(home=home(), command=cmd)
    config = environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec: a relative XDG_CONFIG_HOME is invalid and must be ignored.
    config_home = Path(config) if os.path.isabs(config) else home() / ".config"
    return XdgAutostart(config_home=config_home, command=cmd)
