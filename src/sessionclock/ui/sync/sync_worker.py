"""Fetch and import the calendar feed on a worker thread, and never let it hold up a quit.

The worker runs plain core functions (``fetch_feed``, ``import_feed``) and hands back immutable
values by signal. The feed's bytes live only in memory: they are never written to disk, to the
database or to a log.

Both functions look at the worker's Cancel several times a second, and the fetch has one deadline
for the whole exchange, so a booking platform that stalls (before answering, or one byte at a
time) cannot keep the worker busy: Cancel, and Quit, end the sync within a fraction of a second.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, tzinfo

import httpx
from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QThread, Signal, Slot

from sessionclock.core.errors import FeedCancelledError, SessionClockError
from sessionclock.core.feed.fetch import DEFAULT_TOTAL_TIMEOUT, fetch_feed, make_client
from sessionclock.core.feed.importer import import_feed

log = logging.getLogger(__name__)

ClientFactory = Callable[[], httpx.Client]

SHUTDOWN_S = 3.0
"""How long ``FeedSync.shutdown`` waits for the worker thread at most."""


class FeedWorker(QObject):
    """Fetch the feed and import the sessions in a window, off the GUI thread.

    Signals:
        progressed: emitted with (bytes received, total bytes or -1 when unknown).
        fetched: emitted with the ``ImportResult`` once the feed is read.
        failed: emitted with a user-presentable message (never the address).
        finished: always emitted last, after fetched or failed.
    """

    progressed = Signal(int, int)
    fetched = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(
        self,
        *,
        url: str,
        tz: tzinfo,
        window: tuple[datetime, datetime],
        client_factory: ClientFactory,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    ) -> None:
        super().__init__()
        self._url = url
        self._tz = tz
        self._window = window
        self._client_factory = client_factory
        self._total_timeout = total_timeout
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Stop the sync: the fetch or the import stops within a fraction of a second (any
        thread may call this)."""
        self._cancel.set()

    @Slot()
    def run(self) -> None:
        """Fetch and import; emits fetched or failed, then finished."""
        try:
            with self._client_factory() as client:
                data = fetch_feed(
                    client,
                    self._url,
                    cancelled=self._cancel.is_set,
                    progress=self._on_progress,
                    total_timeout=self._total_timeout,
                )
            result = import_feed(
                data, tz=self._tz, window=self._window, cancelled=self._cancel.is_set
            )
            del data
            if self._cancel.is_set():
                raise FeedCancelledError
            self.fetched.emit(result)
        except SessionClockError as e:
            self.failed.emit(str(e))
        finally:
            # Hand the worker back to the GUI thread, so Python frees it there; a deleteLater()
            # racing with Python's own deletion of the wrapper crashes PySide.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            self.finished.emit()

    def _on_progress(self, received: int, total: int | None) -> None:
        self.progressed.emit(received, -1 if total is None else total)


class FeedSync(QObject):
    """Owns the worker thread of one sync at a time and relays the worker's signals.

    Signals:
        progressed: emitted with (bytes received, total bytes or -1).
        fetched: emitted with the ``ImportResult``.
        failed: emitted with a user-presentable message.
        finished: emitted when the worker thread has ended.
    """

    progressed = Signal(int, int)
    fetched = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(
        self,
        client_factory: ClientFactory = make_client,
        parent: QObject | None = None,
        *,
        total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
    ) -> None:
        super().__init__(parent)
        self._client_factory = client_factory
        self._total_timeout = total_timeout
        self._thread: QThread | None = None
        self._worker: FeedWorker | None = None

    def is_running(self) -> bool:
        """Return whether a sync is under way."""
        return self._thread is not None

    def start(self, *, url: str, tz: tzinfo, window: tuple[datetime, datetime]) -> bool:
        """Start a sync; returns False (and does nothing) if one is already running."""
        if self._thread is not None:
            return False
        thread = QThread(self)
        worker = FeedWorker(
            url=url,
            tz=tz,
            window=window,
            client_factory=self._client_factory,
            total_timeout=self._total_timeout,
        )
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self.progressed)
        worker.fetched.connect(self.fetched)
        worker.failed.connect(self.failed)
        worker.finished.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()
        return True

    def cancel(self) -> None:
        """Ask the running sync to stop; ``failed`` then reports the cancellation."""
        if self._worker is not None:
            self._worker.cancel()

    def shutdown(self, *, deadline_s: float = SHUTDOWN_S) -> bool:
        """Cancel any sync and wait for its worker thread, at most *deadline_s* (on quit).

        A stalled booking platform does not hold this up: the fetch stops at the Cancel (see the
        module's docstring). Returns False only if the worker thread did not end in time.
        """
        thread = self._thread
        if thread is None:
            return True
        self.cancel()
        thread.quit()
        if not thread.wait(QDeadlineTimer(round(deadline_s * 1000))):
            log.warning("The calendar sync did not stop within %.1f s", deadline_s)
            return False
        self._on_thread_finished()
        return True

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self._thread
        if thread is None:
            return
        thread.wait()
        thread.deleteLater()
        self._thread, self._worker = None, None
        self.finished.emit()
