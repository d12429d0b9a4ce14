"""Keep the screen from sleeping while a session runs.

- Windows: ``SetThreadExecutionState`` (through ctypes) with the display-required flag; it holds
  for the calling thread, which is the GUI thread here.
- macOS: a ``caffeinate -d -w <pid>`` child process; ``-w`` makes it end with the app even if the
  app crashes, so a stuck wake lock cannot outlive Session Clock.
- Linux and other freedesktop systems: ``org.freedesktop.ScreenSaver.Inhibit`` over the session
  D-Bus (jeepney), released with ``UnInhibit``.
- Anything else, or a platform that refuses: a no-op; the clock works, the screen may dim.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from jeepney.io.blocking import DBusConnection

_log = logging.getLogger(__name__)

APP_NAME = "Session Clock"
REASON = "A session is running"


class ScreenAwake(Protocol):
    """Something that can keep the screen awake.

    ``hold`` and ``release`` may be called any number of times in any order; only the first
    ``hold`` after a release does anything, and ``release`` without ``hold`` is harmless.
    """

    @property
    def held(self) -> bool:
        """Return True while the platform has confirmed the screen stays awake."""
        ...

    def hold(self) -> None:
        """Ask the platform to keep the screen awake."""
        ...

    def release(self) -> None:
        """Let the screen sleep again."""
        ...


class NullScreenAwake:
    """The fallback: keeps nothing awake, never fails."""

    @property
    def held(self) -> bool:
        """Return False: nothing is ever held."""
        return False

    def hold(self) -> None:
        """Do nothing."""

    def release(self) -> None:
        """Do nothing."""


ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_DISPLAY_REQUIRED = 0x00000002


def _windows_set_state() -> Callable[[int], int]:
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        kernel32.SetThreadExecutionState.restype = ctypes.c_uint32
        kernel32.SetThreadExecutionState.argtypes = [ctypes.c_uint32]
        return kernel32.SetThreadExecutionState  # type: ignore[no-any-return]
    raise OSError("SetThreadExecutionState exists on Windows only")


class WindowsScreenAwake:
    """Windows: ``SetThreadExecutionState(ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ...)``.

    Attributes:
        set_state: the Win32 function (injected by tests); resolved on first use otherwise.
    """

    def __init__(self, set_state: Callable[[int], int] | None = None) -> None:
        self._set_state = set_state
        self._held = False

    @property
    def held(self) -> bool:
        """Return True while the execution state keeps the display on."""
        return self._held

    def _call(self, flags: int) -> bool:
        try:
            if self._set_state is None:
                self._set_state = _windows_set_state()
            # The function returns the previous state, or 0 when it fails.
            return self._set_state(flags) != 0
        except OSError:
            _log.info("SetThreadExecutionState is not available; the screen may sleep")
            return False

    def hold(self) -> None:
        """Keep the display and the system awake."""
        if not self._held:
            self._held = self._call(ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED)

    def release(self) -> None:
        """Return to the normal power policy."""
        if self._held:
            self._call(ES_CONTINUOUS)
            self._held = False


class _Process(Protocol):
    def poll(self) -> int | None: ...
    def terminate(self) -> None: ...
    def wait(self, timeout: float | None = None) -> int: ...


def _spawn(args: Sequence[str]) -> _Process:
    return subprocess.Popen(  # noqa: S603 (fixed program, our own pid as argument)
        list(args), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


class MacScreenAwake:
    """macOS: a ``caffeinate -d -i -w <pid>`` child for as long as the screen must stay awake.

    Attributes:
        program: path of ``caffeinate``.
        pid: the process whose life bounds the assertion (this app).
        spawn: starts the child (injected by tests).
    """

    def __init__(
        self,
        *,
        program: str = "/usr/bin/caffeinate",
        pid: int | None = None,
        spawn: Callable[[Sequence[str]], _Process] = _spawn,
    ) -> None:
        self._program = program
        self._pid = os.getpid() if pid is None else pid
        self._spawn = spawn
        self._child: _Process | None = None

    @property
    def held(self) -> bool:
        """Return True while the caffeinate child runs."""
        return self._child is not None and self._child.poll() is None

    def command(self) -> list[str]:
        """Return the command line of the child."""
        return [self._program, "-d", "-i", "-w", str(self._pid)]

    def hold(self) -> None:
        """Start caffeinate unless it already runs."""
        if self.held:
            return
        try:
            self._child = self._spawn(self.command())
        except OSError:
            _log.info("caffeinate could not be started; the screen may sleep")
            self._child = None

    def release(self) -> None:
        """Stop caffeinate."""
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.terminate()
            child.wait(timeout=2)


class FreedesktopScreenAwake:
    """Linux: ``org.freedesktop.ScreenSaver.Inhibit`` on the session bus.

    Spoken with jeepney rather than QtDBus: the cookie must go back to ``UnInhibit`` as a
    ``uint32``, and PySide6 can only marshal a Python int as ``int32``, which the desktop's
    ``UnInhibit(u)`` does not match. The connection stays open while the inhibition is held;
    desktops also drop an inhibition when its connection closes, so a crash cannot leave the
    screen awake for ever.

    Attributes:
        address: the bus to use: ``"SESSION"`` or a D-Bus address (tests pass a private bus).
    """

    SERVICE = "org.freedesktop.ScreenSaver"
    PATH = "/org/freedesktop/ScreenSaver"
    INTERFACE = "org.freedesktop.ScreenSaver"

    def __init__(self, address: str = "SESSION", *, timeout_s: float = 2.0) -> None:
        self._address = address
        self._timeout_s = timeout_s
        self._connection: DBusConnection | None = None
        self._cookie: int | None = None

    @property
    def held(self) -> bool:
        """Return True while the desktop holds our inhibition cookie."""
        return self._cookie is not None

    def _call(
        self, connection: DBusConnection, method: str, signature: str, body: tuple[object, ...]
    ) -> tuple[object, ...] | None:
        from jeepney import DBusAddress, HeaderFields, MessageType, new_method_call

        target = DBusAddress(self.PATH, bus_name=self.SERVICE, interface=self.INTERFACE)
        reply = connection.send_and_get_reply(
            new_method_call(target, method, signature, body), timeout=self._timeout_s
        )
        if reply.header.message_type is not MessageType.method_return:
            _log.info(
                "the desktop refused %s: %s",
                method,
                reply.header.fields.get(HeaderFields.error_name),
            )
            return None
        return tuple(reply.body)

    def hold(self) -> None:
        """Ask the desktop not to blank the screen."""
        if self._cookie is not None:
            return
        # Imported on first use: it is only needed once a session runs, not to show the window.
        from jeepney.io.blocking import open_dbus_connection

        try:
            connection = open_dbus_connection(bus=self._address)
        except (OSError, KeyError, ValueError):
            _log.info("no session D-Bus; the screen may sleep")
            return
        try:
            body = self._call(connection, "Inhibit", "ss", (APP_NAME, REASON))
        except (OSError, TimeoutError):
            body = None
        if body and isinstance(body[0], int):
            self._connection, self._cookie = connection, body[0]
        else:
            connection.close()

    def release(self) -> None:
        """Give the cookie back and close the connection."""
        connection, cookie = self._connection, self._cookie
        self._connection = self._cookie = None
        if connection is None or cookie is None:
            return
        try:
            self._call(connection, "UnInhibit", "u", (cookie,))
        except (OSError, TimeoutError):
            _log.info("UnInhibit failed; closing the connection releases the inhibition")
        finally:
            connection.close()


def create_screen_awake(*, system: str = sys.platform) -> ScreenAwake:
    """Return the wake lock for *system* (a ``sys.platform`` value)."""
    if system == "win32":
        return WindowsScreenAwake()
    if system == "darwin":
        program = shutil.which("caffeinate") or "/usr/bin/caffeinate"
        return MacScreenAwake(program=program)
    if system.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return FreedesktopScreenAwake()
    return NullScreenAwake()
