"""Tests for keeping the screen awake: the freedesktop path for real, the others with fakes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from sessionclock.platform.wakelock import (
    ES_CONTINUOUS,
    ES_DISPLAY_REQUIRED,
    FreedesktopScreenAwake,
    MacScreenAwake,
    NullScreenAwake,
    ScreenAwake,
    WindowsScreenAwake,
    create_screen_awake,
)
from tests.support.platform import FakeScreenAwake

FAKE_SERVICE = Path(__file__).parent.parent / "support" / "fake_screensaver.py"


def is_held(awake: ScreenAwake) -> bool:
    """Read ``held`` afresh (a plain attribute read would be narrowed by the type checker)."""
    return awake.held


@pytest.fixture
def private_bus() -> Iterator[str]:
    """Start a throwaway D-Bus daemon and yield its address."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.fail("dbus-daemon is needed (Debian package dbus-daemon)")
    process = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    address = process.stdout.readline().strip()
    try:
        yield address
    finally:
        process.terminate()
        process.communicate(timeout=5)


@pytest.fixture
def screensaver(private_bus: str) -> Iterator[subprocess.Popen[str]]:
    """Run the fake ScreenSaver service on the private bus."""
    process = subprocess.Popen(
        [sys.executable, str(FAKE_SERVICE), private_bus],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            process.communicate(timeout=5)


def test_freedesktop_inhibits_and_releases_over_dbus(
    private_bus: str, screensaver: subprocess.Popen[str]
) -> None:
    awake = FreedesktopScreenAwake(private_bus)
    awake.hold()
    awake.hold()  # a second hold asks nothing more
    assert is_held(awake)
    awake.release()
    assert not is_held(awake)
    awake.release()
    screensaver.terminate()
    out, _ = screensaver.communicate(timeout=5)
    assert out.splitlines() == [
        "Inhibit\tSession Clock\tA session is running\t42",
        "UnInhibit\t42",
    ]


def test_freedesktop_without_a_screensaver_service_is_a_harmless_no_op(private_bus: str) -> None:
    awake = FreedesktopScreenAwake(private_bus, timeout_s=1.0)
    awake.hold()
    assert not is_held(awake)
    awake.release()
    assert not is_held(awake)


def test_freedesktop_without_any_bus_is_a_harmless_no_op(tmp_path: Path) -> None:
    awake = FreedesktopScreenAwake(f"unix:path={tmp_path / 'no-bus'}")
    awake.hold()
    assert not is_held(awake)
    awake.release()


def test_windows_sets_and_clears_the_execution_state() -> None:
    calls: list[int] = []

    def set_state(flags: int) -> int:
        calls.append(flags)
        return ES_CONTINUOUS

    awake = WindowsScreenAwake(set_state)
    awake.hold()
    awake.hold()
    assert is_held(awake)
    awake.release()
    assert not is_held(awake)
    assert len(calls) == 2
    assert calls[0] & ES_CONTINUOUS
    assert calls[0] & ES_DISPLAY_REQUIRED
    assert calls[1] == ES_CONTINUOUS


def test_windows_failure_leaves_nothing_held() -> None:
    awake = WindowsScreenAwake(lambda flags: 0)
    awake.hold()
    assert not is_held(awake)


def test_windows_api_missing_elsewhere_is_harmless() -> None:
    awake = WindowsScreenAwake()
    awake.hold()
    assert not is_held(awake)
    awake.release()


class FakeProcess:
    """A child process that runs until terminated."""

    def __init__(self, args: Sequence[str]) -> None:
        self.args = list(args)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode

    def terminate(self) -> None:
        self.returncode = -15

    def wait(self, timeout: float | None = None) -> int:
        assert self.returncode is not None
        return self.returncode


def test_mac_runs_caffeinate_bound_to_the_app_process() -> None:
    started: list[FakeProcess] = []

    def spawn(args: Sequence[str]) -> FakeProcess:
        started.append(FakeProcess(args))
        return started[-1]

    awake = MacScreenAwake(program="/usr/bin/caffeinate", pid=1234, spawn=spawn)
    awake.hold()
    awake.hold()
    assert is_held(awake)
    assert len(started) == 1
    assert started[0].args == ["/usr/bin/caffeinate", "-d", "-i", "-w", "1234"]
    awake.release()
    assert not is_held(awake)
    assert started[0].returncode == -15


def test_mac_missing_caffeinate_is_harmless() -> None:
    def spawn(args: Sequence[str]) -> FakeProcess:
        raise FileNotFoundError(args[0])

    awake = MacScreenAwake(spawn=spawn)
    awake.hold()
    assert not is_held(awake)
    awake.release()


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("win32", WindowsScreenAwake),
        ("darwin", MacScreenAwake),
        ("linux", FreedesktopScreenAwake),
        ("freebsd14", FreedesktopScreenAwake),
        ("emscripten", NullScreenAwake),
    ],
)
def test_each_system_gets_its_own_mechanism(system: str, expected: type[object]) -> None:
    assert type(create_screen_awake(system=system)) is expected


def test_null_and_fake_honour_the_interface() -> None:
    null = NullScreenAwake()
    null.hold()
    assert not null.held
    fake = FakeScreenAwake()
    fake.release()
    fake.hold()
    fake.hold()
    fake.release()
    assert fake.calls == ["hold", "release"]
