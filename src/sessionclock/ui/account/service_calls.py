"""Calls to the account service, run off the GUI thread one at a time, each with what to do
with its answer; a call asked for while another runs waits for its turn.

Each call builds its own httpx client inside the worker (a client is not shared between
threads) and runs a plain function of ``AccountApi`` as a ``BackgroundCall``. The answer, or
the ``SessionClockError`` it raised, comes back on the GUI thread to the callbacks given with
the call.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from PySide6.QtCore import QObject, Signal, Slot

from sessionclock.core.account.client import AccountApi
from sessionclock.core.errors import SessionClockError
from sessionclock.ui.background import SHUTDOWN_S, BackgroundCall, CallContext

T = TypeVar("T")

ClientMaker = Callable[[str], httpx.Client]
"""Makes an httpx client for the service at a base address (``make_service_client``)."""

CANCELLED_MESSAGE = "The request to the account service was cancelled."


@dataclass(frozen=True)
class _Call:
    """One call waiting for its turn."""

    work: Callable[[CallContext], Any]
    done: Callable[[Any], None]
    failed: Callable[[SessionClockError], None]


class ServiceCalls(QObject):
    """Runs account-service calls off the GUI thread, one at a time, in the order asked.

    Signals:
        busy_changed: emitted with True when a call starts and False when it has ended.
    """

    busy_changed = Signal(bool)

    def __init__(self, make_client: ClientMaker, url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._make_client = make_client
        self._url = url
        self._call = BackgroundCall(self)
        self._call.returned.connect(self._on_call_returned)
        self._call.failed.connect(self._on_call_failed)
        self._call.finished.connect(self._on_call_finished)
        self._running: _Call | None = None
        self._waiting: deque[_Call] = deque()
        self._outcome: tuple[bool, object] | None = None

    def is_busy(self) -> bool:
        """Return whether a call is under way (or waiting)."""
        return self._running is not None or bool(self._waiting)

    def run(
        self,
        work: Callable[[AccountApi], T],
        *,
        done: Callable[[T], None],
        failed: Callable[[SessionClockError], None],
        url: str | None = None,
    ) -> None:
        """Run *work* against the service; *done* or *failed* is called on the GUI thread.

        Args:
            work: what to ask, a plain function of ``AccountApi``.
            done: called with what *work* returned.
            failed: called with the ``SessionClockError`` it raised.
            url: another service's address than the usual one (a pending deletion).

        A call asked for while another runs starts when the ones before it have answered.
        """
        self.run_on_client(
            lambda client: work(AccountApi(client)), done=done, failed=failed, url=url
        )

    def run_on_client(
        self,
        work: Callable[[httpx.Client], T],
        *,
        done: Callable[[T], None],
        failed: Callable[[SessionClockError], None],
        url: str | None = None,
    ) -> None:
        """Like ``run``, for *work* that speaks to other routes than ``AccountApi``'s (it gets
        the call's own httpx client)."""
        make_client, base = self._make_client, url or self._url

        def call(_context: CallContext) -> T:
            with make_client(base) as client:
                return work(client)

        was_busy = self.is_busy()
        self._waiting.append(_Call(call, done, failed))
        if not was_busy:
            self.busy_changed.emit(True)
        self._next()

    def shutdown(self, *, deadline_s: float = SHUTDOWN_S) -> bool:
        """Cancel any call and drop the waiting ones (on quit, on sign-out); no callback is
        called."""
        self._waiting.clear()
        self._running = None
        self._outcome = None
        return self._call.shutdown(deadline_s=deadline_s)

    def _next(self) -> None:
        if self._running is not None or self._call.is_running() or not self._waiting:
            return
        call = self._waiting.popleft()
        self._running = call
        self._call.start(call.work, name="account-service", cancelled_message=CANCELLED_MESSAGE)

    @Slot(object)
    def _on_call_returned(self, value: object) -> None:
        self._outcome = (True, value)

    @Slot(object)
    def _on_call_failed(self, error: SessionClockError) -> None:
        self._outcome = (False, error)

    @Slot()
    def _on_call_finished(self) -> None:
        # Answered only once the thread is gone, so a callback may ask for the next call.
        call, outcome = self._running, self._outcome
        self._running = self._outcome = None
        if call is not None and outcome is not None:
            succeeded, value = outcome
            if succeeded:
                call.done(value)
            else:
                assert isinstance(value, SessionClockError)
                call.failed(value)
        if self.is_busy():
            self._next()
        else:
            self.busy_changed.emit(False)
