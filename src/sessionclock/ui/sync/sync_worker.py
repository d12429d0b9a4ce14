"""Fetch and import the calendar feed on a worker thread, and never let it hold up a quit.

The worker runs plain core functions (``fetch_feed``, ``import_feed``) and hands back immutable
values by signal. The feed's bytes live only in memory: they are never written to disk, to the
database or to a log.

A booking platform can stall for a long time inside one network read (the fetch checks for
cancellation only between reads). So the blocking part runs in a plain daemon thread that touches
nothing of Qt, and the worker waits for whichever comes first: its outcome, or a cancel. On a
cancel the worker answers at once and the daemon thread is abandoned: it ends by itself when its
connection times out, its result goes nowhere, and at exit Python does not wait for it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime, tzinfo

import httpx
from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QThread, Signal, Slot

from sessionclock.core.errors import SessionClockError
from sessionclock.core.feed.fetch import fetch_feed, make_client
from sessionclock.core.feed.importer import import_feed

log = logging.getLogger(__name__)

ClientFactory = Callable[[], httpx.Client]
Progress = Callable[[int, int | None], None]

SHUTDOWN_S = 3.0
"""How long ``FeedSync.shutdown`` waits for the worker thread at most."""

CANCELLED_MESSAGE = "The calendar sync was cancelled."

_CANCELLED = object()
"""Put in the worker's outcome queue by ``cancel``: stop waiting for the fetch."""


class _ProgressGate:
    """Passes the fetch thread's progress on until the worker stops listening.

    The lock makes ``close`` wait for a report in flight, so nothing is emitted on the worker
    once it has finished (and may be gone).
    """

    def __init__(self, report: Callable[[int, int], None]) -> None:
        self._lock = threading.Lock()
        self._report: Callable[[int, int], None] | None = report

    def __call__(self, received: int, total: int | None) -> None:
        with self._lock:
            if self._report is not None:
                self._report(received, -1 if total is None else total)

    def close(self) -> None:
        with self._lock:
            self._report = None


def _fetch_and_import(
    *,
    client_factory: ClientFactory,
    url: str,
    tz: tzinfo,
    window: tuple[datetime, datetime],
    cancelled: Callable[[], bool],
    progress: Progress,
    outcome: queue.SimpleQueue[object],
) -> None:
    """Fetch and import the feed; put the ``ImportResult`` (or the error) in *outcome*.

    Runs in the daemon thread: plain Python, no Qt.
    """
    try:
        with client_factory() as client:
            data = fetch_feed(client, url, cancelled=cancelled, progress=progress)
        result = import_feed(data, tz=tz, window=window)
        del data
        outcome.put(result)
    except Exception as e:  # handed to the worker, which reports or re-raises it
        outcome.put(e)


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
    ) -> None:
        super().__init__()
        self._url = url
        self._tz = tz
        self._window = window
        self._client_factory = client_factory
        self._cancel = threading.Event()
        self._outcome: queue.SimpleQueue[object] = queue.SimpleQueue()

    def cancel(self) -> None:
        """Stop the sync: the worker finishes at once, without the fetch (thread-safe)."""
        self._cancel.set()
        self._outcome.put(_CANCELLED)

    @Slot()
    def run(self) -> None:
        """Fetch and import; emits fetched or failed, then finished."""
        gate = _ProgressGate(self.progressed.emit)
        fetch = threading.Thread(
            target=_fetch_and_import,
            kwargs={
                "client_factory": self._client_factory,
                "url": self._url,
                "tz": self._tz,
                "window": self._window,
                "cancelled": self._cancel.is_set,
                "progress": gate,
                "outcome": self._outcome,
            },
            name="feed-fetch",
            daemon=True,
        )
        try:
            fetch.start()
            outcome = self._outcome.get()
            gate.close()
            if outcome is _CANCELLED or self._cancel.is_set():
                self.failed.emit(CANCELLED_MESSAGE)
            elif isinstance(outcome, SessionClockError):
                self.failed.emit(str(outcome))
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                self.fetched.emit(outcome)
        finally:
            gate.close()
            # Hand the worker back to the GUI thread, so Python frees it there; a deleteLater()
            # racing with Python's own deletion of the wrapper crashes PySide.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            self.finished.emit()


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
        self, client_factory: ClientFactory = make_client, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._client_factory = client_factory
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
        worker = FeedWorker(url=url, tz=tz, window=window, client_factory=self._client_factory)
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

        A fetch stuck in a slow read does not hold this up: it is abandoned (see the module's
        docstring). Returns False only if the worker thread did not end in time.
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
