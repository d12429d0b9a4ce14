"""Fetch and import the calendar feed off the GUI thread, and never let it hold up a quit.

``FeedSync`` runs the plain core functions (``fetch_feed``, ``import_feed``) as a
``BackgroundCall`` (``sessionclock.ui.background``), with progress and cancel, and hands back
the immutable ``ImportResult``. The feed's bytes live only in memory: they are never written to
disk, to the database or to a log.

Both functions look at Cancel several times a second, and the fetch has one deadline for the whole
exchange (connect, headers, body). So a booking platform that stalls, before answering or one byte
at a time, cannot keep a sync going: Cancel and Quit answer at once (the background call does not
wait for the function), and the fetch or import itself then stops within a fraction of a second,
so nothing is left reading from the platform.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

import httpx
from PySide6.QtCore import QObject, Signal, Slot

from sessionclock.core.errors import SessionClockError
from sessionclock.core.feed.fetch import DEFAULT_TOTAL_TIMEOUT, fetch_feed, make_client
from sessionclock.core.feed.importer import ImportResult, import_feed
from sessionclock.ui.background import SHUTDOWN_S, BackgroundCall, CallContext

ClientFactory = Callable[[], httpx.Client]

CANCELLED_MESSAGE = "The calendar sync was cancelled."


def fetch_and_import(
    context: CallContext,
    *,
    client_factory: ClientFactory,
    url: str,
    tz: tzinfo,
    window: tuple[datetime, datetime],
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT,
) -> ImportResult:
    """Fetch the feed and import the sessions in *window* (runs off the GUI thread); both stop
    soon after ``context.cancelled`` turns True, the fetch after *total_timeout* seconds."""
    with client_factory() as client:
        data = fetch_feed(
            client,
            url,
            cancelled=context.cancelled,
            progress=context.progress,
            total_timeout=total_timeout,
        )
    result = import_feed(data, tz=tz, window=window, cancelled=context.cancelled)
    del data
    return result


class FeedSync(QObject):
    """Runs one sync at a time off the GUI thread and relays what it finds.

    Signals:
        progressed: emitted with (bytes received, total bytes or -1).
        fetched: emitted with the ``ImportResult``.
        failed: emitted with a user-presentable message (never the address).
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
        self._call = BackgroundCall(self)
        self._call.progressed.connect(self.progressed)
        self._call.returned.connect(self.fetched)
        self._call.failed.connect(self._on_call_failed)
        self._call.finished.connect(self.finished)

    def is_running(self) -> bool:
        """Return whether a sync is under way."""
        return self._call.is_running()

    def start(self, *, url: str, tz: tzinfo, window: tuple[datetime, datetime]) -> bool:
        """Start a sync; returns False (and does nothing) if one is already running."""
        factory, total_timeout = self._client_factory, self._total_timeout

        def work(context: CallContext) -> ImportResult:
            return fetch_and_import(
                context,
                client_factory=factory,
                url=url,
                tz=tz,
                window=window,
                total_timeout=total_timeout,
            )

        return self._call.start(work, name="feed-fetch", cancelled_message=CANCELLED_MESSAGE)

    def cancel(self) -> None:
        """Ask the running sync to stop; ``failed`` then reports the cancellation."""
        self._call.cancel()

    def shutdown(self, *, deadline_s: float = SHUTDOWN_S) -> bool:
        """Cancel any sync and wait for its worker thread, at most *deadline_s* (on quit).

        A stalled booking platform does not hold this up (see the module's docstring). Returns
        False only if the worker thread did not end in time.
        """
        return self._call.shutdown(deadline_s=deadline_s)

    @Slot(object)
    def _on_call_failed(self, error: SessionClockError) -> None:
        self.failed.emit(str(error))
