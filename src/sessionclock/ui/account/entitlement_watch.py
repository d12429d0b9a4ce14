"""Keeps the app's idea of the subscription fresh: at start, every few hours, and for a while
after the practitioner went to pay or manage their subscription in the browser.

Each successful answer is kept sealed in the account's store (``save_entitlement``) with this
computer's time, so the app knows what it may do while the service cannot be reached (see
``sessionclock.core.account.access``). The checks run off the GUI thread (``ServiceCalls``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot

from sessionclock.core.account.access import (
    Access,
    EntitlementRecord,
    Standing,
    access_at,
    record_check,
)
from sessionclock.core.account.client import AccountApi
from sessionclock.core.account.models import Entitlement
from sessionclock.core.clock import Clock
from sessionclock.core.errors import (
    RateLimitedError,
    ServiceFailedError,
    ServiceUnreachableError,
    SessionClockError,
    SignedOutError,
)
from sessionclock.ui.account.service_calls import ClientMaker, ServiceCalls

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(hours=4)
"""How often the subscription is checked while the app runs."""
FAST_POLL_EVERY = timedelta(seconds=5)
"""How often it is checked while the practitioner may be paying in the browser."""
FAST_POLL_FOR = timedelta(minutes=10)
"""How long that lasts after Subscribe or Manage subscription."""
RECHECK_ON_RETURN_AFTER = timedelta(minutes=30)
"""Coming back to the window checks again when the last check is older than this."""


class EntitlementStore(Protocol):
    """Where the account's last check is kept (the account's repository)."""

    def entitlement(self) -> EntitlementRecord | None:
        """Return the last successful check, or None."""
        ...

    def save_entitlement(self, record: EntitlementRecord) -> None:
        """Keep *record*, sealed."""
        ...


class EntitlementWatch(QObject):
    """Checks the subscription of the account shown and says what the practitioner may do.

    Signals:
        access_changed: emitted with the new ``Access`` whenever it changes.
        signed_out: the service no longer accepts this computer's sign-in.
    """

    access_changed = Signal(object)
    signed_out = Signal()

    def __init__(
        self, *, make_client: ClientMaker, url: str, clock: Clock, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._calls = ServiceCalls(make_client, url, self)
        self._store: EntitlementStore | None = None
        self._token: str | None = None
        self._record: EntitlementRecord | None = None
        self._reachable: bool | None = None
        self._running_since: datetime | None = None
        self._access = Access(Standing.CHECKING)
        self._fast_until: datetime | None = None
        self._watched: Entitlement | None = None
        self._regular = QTimer(self)
        self._regular.setInterval(round(CHECK_EVERY.total_seconds() * 1000))
        self._regular.timeout.connect(self.check_now)
        self._fast = QTimer(self)
        self._fast.setInterval(round(FAST_POLL_EVERY.total_seconds() * 1000))
        self._fast.timeout.connect(self._on_fast_timeout)

    @property
    def access(self) -> Access:
        """Return what the practitioner may do now."""
        return self._access

    @property
    def record(self) -> EntitlementRecord | None:
        """Return the last successful check of the account shown."""
        return self._record

    @property
    def reachable(self) -> bool | None:
        """Return whether the last attempt reached the service (None: none yet)."""
        return self._reachable

    def is_checking(self) -> bool:
        """Return whether a check is under way."""
        return self._calls.is_busy()

    def is_fast_polling(self) -> bool:
        """Return whether the watch is polling after Subscribe or Manage subscription."""
        return self._fast.isActive()

    def attach(self, store: EntitlementStore, *, token: str) -> None:
        """Watch the account behind *store*: check now, then every few hours."""
        self._store, self._token = store, token
        self._reachable = None
        try:
            self._record = store.entitlement()
        except SessionClockError as e:
            log.warning("The last subscription check could not be read: %s", e)
            self._record = None
        self.evaluate()
        self._regular.start()
        self.check_now()

    def detach(self) -> None:
        """Stop watching (signed out, switched away, or the account was deleted)."""
        self._regular.stop()
        self._fast.stop()
        self._calls.shutdown()
        self._store = self._token = self._record = None
        self._reachable = None
        self._fast_until = None
        self._watched = None
        if self._access != Access(Standing.CHECKING):
            self._access = Access(Standing.CHECKING)
            self.access_changed.emit(self._access)

    def shutdown(self) -> None:
        """Stop every timer and any check (on quit)."""
        self.detach()

    def check_now(self) -> bool:
        """Ask the service now; False if no account is watched or a check is under way."""
        token = self._token
        if token is None or self._calls.is_busy():
            return False

        def work(api: AccountApi) -> Entitlement:
            return api.entitlement(token=token)

        self._calls.run(work, done=self._on_checked, failed=self._on_check_failed)
        return True

    def watch_for_change(self) -> None:
        """Poll every few seconds for a while: the practitioner is paying in the browser."""
        if self._token is None:
            return
        self._fast_until = self._clock.now() + FAST_POLL_FOR
        self._watched = self._record.entitlement if self._record is not None else None
        self._fast.start()

    def on_returned(self) -> None:
        """The practitioner came back to the window: check if it may have changed."""
        record = self._record
        stale = record is None or (
            self._clock.now() - record.checked_locally_at >= RECHECK_ON_RETURN_AFTER
        )
        if self._fast.isActive() or stale or self._reachable is False:
            self.check_now()

    def evaluate(self, running_since: datetime | None = None, *, remember: bool = True) -> Access:
        """Recompute what the practitioner may do (on each tick of the clock); emits
        ``access_changed`` when it changed.

        Args:
            running_since: when the session running now began, if one runs.
            remember: keep *running_since* for the evaluations that follow a check.
        """
        if remember:
            self._running_since = running_since
        if self._token is None:
            return self._access
        access = access_at(
            self._record,
            now=self._clock.now(),
            tz=self._clock.zone(),
            reachable=self._reachable,
            running_since=self._running_since,
        )
        if access != self._access:
            self._access = access
            self.access_changed.emit(access)
        return access

    # -- answers -------------------------------------------------------------------------------

    def record_answer(self, entitlement: Entitlement) -> None:
        """Take an entitlement the service gave with another answer (the account page's)."""
        self._on_checked(entitlement)

    def _on_checked(self, entitlement: Entitlement) -> None:
        store = self._store
        if store is None:
            return
        record = record_check(self._record, entitlement, now=self._clock.now())
        try:
            store.save_entitlement(record)
        except SessionClockError as e:
            log.warning("The subscription check could not be kept: %s", e)
        self._record = record
        self._reachable = True
        watched = self._watched
        if watched is not None and (entitlement.state, entitlement.ends_at) != (
            watched.state,
            watched.ends_at,
        ):
            self._fast.stop()  # the change the practitioner went to make has arrived
        self.evaluate(self._running_since)

    def _on_check_failed(self, error: SessionClockError) -> None:
        if isinstance(error, SignedOutError):
            self._regular.stop()
            self._fast.stop()
            self.signed_out.emit()
            return
        if isinstance(error, ServiceUnreachableError | ServiceFailedError | RateLimitedError):
            self._reachable = False
        self.evaluate(self._running_since)

    @Slot()
    def _on_fast_timeout(self) -> None:
        deadline = self._fast_until
        if deadline is None or self._clock.now() >= deadline:
            self._fast.stop()
            return
        self.check_now()


class ReturnWatcher(QObject):
    """Tells an ``EntitlementWatch`` when the practitioner comes back to a window (it was
    activated), e.g. from paying in the browser."""

    def __init__(self, watch: EntitlementWatch, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._watch = watch

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate:
            self._watch.on_returned()
        return False
