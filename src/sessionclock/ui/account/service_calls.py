"""Calls to the account service, run off the GUI thread one at a time, each with what to do
with its answer.

Each call builds its own httpx client inside the worker (a client is not shared between
threads) and runs a plain function of ``AccountApi`` as a ``BackgroundCall``. The answer, or
the ``SessionClockError`` it raised, comes back on the GUI thread to the callbacks given with
the call.
"""

from __future__ import annotations

from collections.abc import Callable
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


class ServiceCalls(QObject):
    """Runs one account-service call at a time off the GUI thread.

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
        self._done: Callable[[Any], None] | None = None
        self._failed: Callable[[SessionClockError], None] | None = None
        self._outcome: tuple[bool, object] | None = None

    def is_busy(self) -> bool:
        """Return whether a call is under way."""
        return self._call.is_running()

    def run(
        self,
        work: Callable[[AccountApi], T],
        *,
        done: Callable[[T], None],
        failed: Callable[[SessionClockError], None],
        url: str | None = None,
    ) -> bool:
        """Run *work* against the service; *done* or *failed* is called on the GUI thread.

        Args:
            work: what to ask, a plain function of ``AccountApi``.
            done: called with what *work* returned.
            failed: called with the ``SessionClockError`` it raised.
            url: another service's address than the usual one (a pending deletion).

        Returns False (and runs nothing) while another call is under way.
        """
        make_client, base = self._make_client, url or self._url

        def call(_context: CallContext) -> T:
            with make_client(base) as client:
                return work(AccountApi(client))

        if not self._call.start(call, name="account-service", cancelled_message=CANCELLED_MESSAGE):
            return False
        self._done, self._failed = done, failed
        self.busy_changed.emit(True)
        return True

    def shutdown(self, *, deadline_s: float = SHUTDOWN_S) -> bool:
        """Cancel any call and wait for its thread (on quit); its callbacks are not called."""
        self._done = self._failed = None
        self._outcome = None
        return self._call.shutdown(deadline_s=deadline_s)

    @Slot(object)
    def _on_call_returned(self, value: object) -> None:
        self._outcome = (True, value)

    @Slot(object)
    def _on_call_failed(self, error: SessionClockError) -> None:
        self._outcome = (False, error)

    @Slot()
    def _on_call_finished(self) -> None:
        # Answered only once the thread is gone, so a callback may start the next call.
        done, failed, outcome = self._done, self._failed, self._outcome
        self._done = self._failed = self._outcome = None
        self.busy_changed.emit(False)
        if outcome is None:
            return
        succeeded, value = outcome
        if succeeded and done is not None:
            done(value)
        elif not succeeded and failed is not None:
            assert isinstance(value, SessionClockError)
            failed(value)
