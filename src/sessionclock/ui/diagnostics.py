"""What Session Clock says about itself: the versions it runs on, and its unexpected errors.

``CrashReporter.install`` takes over ``sys.excepthook`` (errors in the GUI thread: PySide6 hands
errors raised in slots and event handlers there and the event loop goes on, so the clock keeps
counting) and ``threading.excepthook`` (errors in worker threads). Each error is logged as
``core.crash_report`` writes it (no message, no local values) and its report announced through
``crashed``.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
from collections.abc import Callable
from types import TracebackType

import PySide6
from PySide6.QtCore import QObject, Signal, qVersion

from sessionclock import __version__
from sessionclock.core.crash_report import Runtime, crash_report

_log = logging.getLogger(__name__)

_ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
_ThreadHook = Callable[[threading.ExceptHookArgs], object]


def runtime() -> Runtime:
    """Return the versions and the platform Session Clock runs on."""
    return Runtime(
        app_version=__version__,
        qt_version=qVersion(),
        pyside_version=PySide6.__version__,
        platform=platform.platform(),
        python_version=platform.python_version(),
        frozen=bool(getattr(sys, "frozen", False)),
    )


class CrashReporter(QObject):
    """Catches unexpected errors in every thread, logs them and announces their reports.

    Signals:
        crashed: emitted with the report of each unexpected error (from the thread it happened
            in; connect with a queued connection to show it in the GUI thread, outside the hook).
    """

    crashed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous: tuple[_ExceptHook, _ThreadHook] | None = None

    def install(self) -> None:
        """Take over ``sys.excepthook`` and ``threading.excepthook`` (``uninstall`` gives back)."""
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self._on_exception
            threading.excepthook = self._on_thread_exception

    def uninstall(self) -> None:
        """Put back the hooks that were there before ``install``."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def _on_exception(
        self, kind: type[BaseException], error: BaseException, traceback: TracebackType | None
    ) -> None:
        if isinstance(error, KeyboardInterrupt) and self._previous is not None:
            self._previous[0](kind, error, traceback)  # Ctrl+C in a terminal stays Ctrl+C
            return
        self.report(error, thread=threading.current_thread().name)

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.report(args.exc_value, thread=args.thread.name if args.thread else "")

    def report(self, error: BaseException, *, thread: str) -> None:
        """Log *error* (without its message) and announce its report."""
        _log.error("unexpected error in thread %s", thread, exc_info=error)
        self.crashed.emit(crash_report(error, runtime(), thread=thread))
