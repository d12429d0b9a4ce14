"""Tests for starting at login: the XDG entry for real, macOS and Windows with fakes."""

from __future__ import annotations

import configparser
import plistlib
import shlex
import sys
from pathlib import Path

import pytest

from sessionclock.platform.autostart import (
    APP_ID,
    RUN_VALUE_NAME,
    LaunchAgent,
    LoginItem,
    WindowsRunKey,
    XdgAutostart,
    create_login_item,
    desktop_exec,
    launch_command,
)
from tests.support.platform import FakeLoginItem

COMMAND = ["/opt/Session Clock/bin/python", "-m", "sessionclock.app"]


def is_enabled(item: LoginItem) -> bool:
    return item.is_enabled()


def test_xdg_entry_honours_xdg_config_home(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    item = create_login_item(
        system="linux",
        environ={"XDG_CONFIG_HOME": str(config)},
        home=lambda: tmp_path / "home",
        command=COMMAND,
    )
    assert isinstance(item, XdgAutostart)
    assert not is_enabled(item)
    item.set_enabled(True)
    path = config / "autostart" / "sessionclock.desktop"
    assert path.is_file()
    assert is_enabled(item)
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Session Clock"
    # The quoting rules of the spec are a subset of the shell's, so shlex reads it back.
    assert shlex.split(entry["Exec"]) == COMMAND
    item.set_enabled(False)
    assert not path.exists()
    assert not is_enabled(item)
    item.set_enabled(False)  # removing twice is fine


@pytest.mark.parametrize("config", ["", "relative/config"])
def test_xdg_entry_defaults_to_dot_config(tmp_path: Path, config: str) -> None:
    environ = {"XDG_CONFIG_HOME": config} if config else {}
    item = create_login_item(
        system="linux", environ=environ, home=lambda: tmp_path, command=COMMAND
    )
    item.set_enabled(True)
    assert (tmp_path / ".config" / "autostart" / "sessionclock.desktop").is_file()


def test_a_hidden_entry_counts_as_disabled(tmp_path: Path) -> None:
    item = XdgAutostart(config_home=tmp_path, command=COMMAND)
    item.set_enabled(True)
    item.path.write_text(item.entry() + "Hidden=true\n", encoding="utf-8")
    assert not is_enabled(item)


def test_desktop_exec_escapes_reserved_characters() -> None:
    assert desktop_exec(["/usr/bin/sessionclock"]) == "/usr/bin/sessionclock"
    assert desktop_exec(["/a b/c", "100%", 'say "hi" $x']) == ('"/a b/c" 100%% "say \\"hi\\" \\$x"')


def test_launch_agent_plist(tmp_path: Path) -> None:
    item = create_login_item(system="darwin", environ={}, home=lambda: tmp_path, command=COMMAND)
    assert isinstance(item, LaunchAgent)
    assert not is_enabled(item)
    item.set_enabled(True)
    path = tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    data = plistlib.loads(path.read_bytes())
    assert data["Label"] == APP_ID
    assert data["ProgramArguments"] == COMMAND
    assert data["RunAtLoad"] is True
    assert is_enabled(item)
    item.set_enabled(False)
    assert not path.exists()


class FakeRegistry:
    """The Run key as a dict."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_windows_run_key_value() -> None:
    registry = FakeRegistry()
    item = WindowsRunKey(
        command=[r"C:\Program Files\Session Clock\sessionclock.exe"], registry=registry
    )
    assert not is_enabled(item)
    item.set_enabled(True)
    assert registry.values == {RUN_VALUE_NAME: r'"C:\Program Files\Session Clock\sessionclock.exe"'}
    assert is_enabled(item)
    item.set_enabled(False)
    assert registry.values == {}
    assert not is_enabled(item)


def test_windows_selection_and_registry_absent_elsewhere() -> None:
    item = create_login_item(system="win32", environ={}, home=Path, command=COMMAND)
    assert isinstance(item, WindowsRunKey)
    if sys.platform != "win32":
        assert not is_enabled(item)
        with pytest.raises(OSError, match="Windows only"):
            item.set_enabled(True)


def test_launch_command_runs_this_installation() -> None:
    command = launch_command()
    assert command
    assert Path(command[0]).exists()


def test_fake_login_item_remembers() -> None:
    item = FakeLoginItem()
    item.set_enabled(True)
    assert is_enabled(item)
