"""A stand-in for the desktop's org.freedesktop.ScreenSaver service, run as its own process.

Started by the wake-lock tests on a private D-Bus daemon: it owns the ScreenSaver name, answers
Inhibit with a cookie and prints every call on stdout, one line each, so the test can read what
the app asked for. A separate process, because a blocking D-Bus call cannot be answered by the
thread that is waiting for the reply.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection


# PySide6 6.12 stubs type ClassInfo as taking keywords only; a dict is its documented form.
@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})  # type: ignore[call-arg]
class FakeScreenSaver(QObject):  # type: ignore[operator]
    """Answers Inhibit and UnInhibit and reports them."""

    def __init__(self) -> None:
        super().__init__()
        self._next_cookie = 41

    @Slot(str, str, result="uint")
    def Inhibit(self, application: str, reason: str) -> int:
        self._next_cookie += 1
        print(f"Inhibit\t{application}\t{reason}\t{self._next_cookie}", flush=True)
        return self._next_cookie

    @Slot("uint")
    def UnInhibit(self, cookie: int) -> None:
        print(f"UnInhibit\t{cookie}", flush=True)


def main() -> None:
    app = QCoreApplication(sys.argv)
    bus = QDBusConnection.connectToBus(sys.argv[1], "fake-screensaver")
    service = FakeScreenSaver()
    exported = bus.registerObject(
        "/org/freedesktop/ScreenSaver", service, QDBusConnection.RegisterOption.ExportAllSlots
    )
    if not (exported and bus.registerService("org.freedesktop.ScreenSaver")):
        sys.exit(2)
    print("ready", flush=True)
    app.exec()


if __name__ == "__main__":
    main()
