"""Run a plain core function off the GUI thread: the one way the app does network work.

A ``BackgroundCall`` owns the worker thread of one call at a time (STYLE rule 4): a ``_Worker``
moved to a ``QThread`` runs the function and hands back its result, or the
``SessionClockError`` it raised, by signal; the worker always emits ``finished`` last, after
moving itself back to the GUI thread so Python frees it there.

A server can stall for a long time inside one network read. So the function itself runs in a
plain daemon thread that touches nothing of Qt, and the worker waits for whichever comes first:
its outcome, or a cancel. On a cancel the worker answers at once and the daemon thread is
abandoned: it ends by itself when its connection times out (a function that looks at
``CallContext.cancelled``, as the calendar sync's do, ends as soon as it next looks), its result
goes nowhere, and at exit Python does not wait for it. Once ``shutdown`` has returned, nothing of
that call reaches the owner any more. Nothing the function returns is logged.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QObject, QThread, Signal, Slot

from sessionclock.core.errors import SessionClockError

log = logging.getLogger(__name__)

SHUTDOWN_S = 3.0
"""How long ``BackgroundCall.shutdown`` waits for the worker thread at most."""

Progress = Callable[[int, int | None], None]


class CancelledError(SessionClockError):
    """The call was cancelled before it finished (the message says what was cancelled)."""


@dataclass(frozen=True, slots=True)
class CallContext:
    """What a background function may ask of its caller.

    Attributes:
        cancelled: returns True once the caller no longer wants the result.
        progress: report (done, total or None) for a progress bar.
    """

    cancelled: Callable[[], bool]
    progress: Progress


Work = Callable[[CallContext], object]
"""A plain function run in the background: no Qt, no widgets, no GUI-thread database session."""

_CANCELLED = object()
"""Put in the worker's outcome queue by ``cancel``: stop waiting for the function."""


class _ProgressGate:
    """Passes the daemon thread's progress on until the worker stops listening.

    The lock makes ``close`` wait for a report in flight, so nothing is emitted on the worker
    once it has finished (and may be gone).
    """

    def __init__(self, report: Callable[[int, int], None]) -> None:
        self._lock = threading.Lock()
        self._report: Callable[[int, int], None] | None = report

    def __call__(self, done: int, total: int | None) -> None:
        with self._lock:
            if self._report is not None:
                self._report(done, -1 if total is None else total)

    def close(self) -> None:
        with self._lock:
            self._report = None


def _call(work: Work, context: CallContext, outcome: queue.SimpleQueue[object]) -> None:
    """Run *work* and put its result, or the exception it raised, in *outcome* (daemon thread)."""
    try:
        outcome.put(work(context))
    except Exception as e:  # handed to the worker, which reports or re-raises it
        outcome.put(e)


class _Worker(QObject):
    """Runs one function off the GUI thread.

    Signals:
        progressed: emitted with (done, total or -1 when unknown).
        returned: emitted with what the function returned.
        failed: emitted with the ``SessionClockError`` it raised (or ``CancelledError``).
        finished: always emitted last, after returned or failed.
    """

    progressed = Signal(int, int)
    returned = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, work: Work, *, name: str, cancelled_message: str) -> None:
        super().__init__()
        self._work = work
        self._name = name
        self._cancelled_message = cancelled_message
        self._cancel = threading.Event()
        self._outcome: queue.SimpleQueue[object] = queue.SimpleQueue()

    def cancel(self) -> None:
        """Stop waiting: the worker finishes at once, without the result (thread-safe)."""
        self._cancel.set()
        self._outcome.put(_CANCELLED)

    @Slot()
    def run(self) -> None:
        """Run the function; emits returned or failed, then finished."""
        gate = _ProgressGate(self.progressed.emit)
        context = CallContext(cancelled=self._cancel.is_set, progress=gate)
        daemon = threading.Thread(
            target=_call, args=(self._work, context, self._outcome), name=self._name, daemon=True
        )
        try:
            daemon.start()
            outcome = self._outcome.get()
            gate.close()
            if outcome is _CANCELLED or self._cancel.is_set():
                self.failed.emit(CancelledError(self._cancelled_message))
            elif isinstance(outcome, SessionClockError):
                self.failed.emit(outcome)
            elif isinstance(outcome, BaseException):
                raise outcome
            else:
                self.returned.emit(outcome)
        finally:
            gate.close()
            # Hand the worker back to the GUI thread, so Python frees it there; a deleteLater()
            # racing with Python's own deletion of the wrapper crashes PySide.
            app = QCoreApplication.instance()
            if app is not None:
                self.moveToThread(app.thread())
            self.finished.emit()


class BackgroundCall(QObject):
    """Owns the worker thread of one background call at a time and relays its signals.

    Signals:
        progressed: emitted with (done, total or -1).
        returned: emitted with what the function returned.
        failed: emitted with the ``SessionClockError`` it raised (``CancelledError`` on cancel).
        finished: emitted when the worker thread has ended.
    """

    progressed = Signal(int, int)
    returned = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        # Threads shutdown() waited for, kept until their own (queued) finished arrives.
        self._retired: list[QThread] = []

    def is_running(self) -> bool:
        """Return whether a call is under way."""
        return self._thread is not None

    def start(self, work: Work, *, name: str, cancelled_message: str) -> bool:
        """Run *work* off the GUI thread; returns False (and does nothing) if a call runs.

        Args:
            work: the function to run (plain Python: no Qt, no widgets).
            name: the daemon thread's name (for debugging).
            cancelled_message: the message of the ``CancelledError`` a cancel reports.
        """
        if self._thread is not None:
            return False
        thread = QThread(self)
        worker = _Worker(work, name=name, cancelled_message=cancelled_message)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progressed)
        worker.returned.connect(self._on_returned)
        worker.failed.connect(self._on_failed)
        worker.finished.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()
        return True

    def cancel(self) -> None:
        """Ask the running call to stop; ``failed`` then reports the cancellation."""
        if self._worker is not None:
            self._worker.cancel()

    def shutdown(self, *, deadline_s: float = SHUTDOWN_S) -> bool:
        """Cancel any call and wait for its worker thread, at most *deadline_s* (on quit).

        A function stuck in a slow read does not hold this up: it is abandoned (see the module's
        docstring). Returns False only if the worker thread did not end in time.
        """
        thread = self._thread
        if thread is None:
            return True
        self.cancel()
        thread.quit()
        if not thread.wait(QDeadlineTimer(round(deadline_s * 1000))):
            log.warning("A background call did not stop within %.1f s", deadline_s)
            return False
        self._retired.append(thread)
        self._thread, self._worker = None, None
        self.finished.emit()
        return True

    def _from_current_worker(self) -> bool:
        """Return whether the signal being handled comes from the running call's worker: what a
        worker that ``shutdown()`` gave up on says afterwards (its cancel) reaches nobody."""
        return self._worker is not None and self.sender() is self._worker

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        if self._from_current_worker():
            self.progressed.emit(done, total)

    @Slot(object)
    def _on_returned(self, value: object) -> None:
        if self._from_current_worker():
            self.returned.emit(value)

    @Slot(object)
    def _on_failed(self, error: SessionClockError) -> None:
        if self._from_current_worker():
            self.failed.emit(error)

    @Slot()
    def _on_thread_finished(self) -> None:
        ended = self.sender()
        thread = self._thread
        if ended is not thread:
            # A thread shutdown() already waited for: its own signal arrives late, perhaps
            # after the next call has started.
            if ended in self._retired:
                self._retired.remove(ended)
                ended.deleteLater()
            return
        assert thread is not None
        thread.wait()  # finished is emitted just before the thread ends
        thread.deleteLater()
        self._thread, self._worker = None, None
        self.finished.emit()
