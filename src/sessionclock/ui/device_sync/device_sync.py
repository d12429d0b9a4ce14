"""Keep this device in step with the practitioner's other devices while the app is open.

``DeviceSync`` runs ``core.devices.cycle.sync_account`` (pull since the cursor, merge, push what
changed here) as a ``BackgroundCall``, never on the GUI thread:

- at once when an account is opened;
- about half a second after a change is written here (changes in a burst make one sync);
- every ``POLL_MS`` while the app is open, so Start pressed on the tablet shows on the computer
  within a few seconds;
- further apart while the service cannot be reached (doubling up to ``MAX_BACKOFF_MS``), and
  back to the usual pace after the first sync that works.

Nothing syncs while the account is signed out (no token in the key store) or before this device
holds the account's key. A record that does not verify is refused by the core, counted here,
logged as a count only, and said once. Failures are said plainly, once each until something
changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from sessionclock.core.account.credentials import load_token
from sessionclock.core.devices.api import DevicesApi
from sessionclock.core.devices.cycle import CycleReport, RecordStore, sync_account
from sessionclock.core.devices.engine import Received
from sessionclock.core.devices.records import MSG_REFUSED
from sessionclock.core.errors import (
    DeviceSyncError,
    ServiceUnreachableError,
    SessionClockError,
    SignedOutError,
)
from sessionclock.core.keystore import KeyStore
from sessionclock.ui.background import SHUTDOWN_S, BackgroundCall, CallContext

log = logging.getLogger(__name__)

POLL_MS = 2_000
"""How often the app asks the service for other devices' changes while it is open."""
DEBOUNCE_MS = 500
"""How long after a change here the sync waits for more changes before pushing."""
MAX_BACKOFF_MS = 60_000
"""The longest wait between tries while the service cannot be reached."""

MSG_OFFLINE = (
    "Your other devices cannot be reached through the account service just now. Changes made "
    "here are kept and sent when it is back."
)
CANCELLED = "Syncing with your other devices was stopped."

ClientMaker = Callable[[str], httpx.Client]


class DeviceSync(QObject):
    """Syncs one open account with the practitioner's other devices.

    Attributes:
        refused: records refused as not genuine since this account was opened.
        interval_ms: the wait before the next periodic sync (longer while offline).

    Signals:
        received: emitted with the ``Received`` of a sync that changed something here.
        failed: emitted with a plain message when syncing stops working (once until it works
            again or the reason changes).
        recovered: emitted when syncing works again after a failure.
        tampered: emitted once with ``MSG_REFUSED`` the first time a record is refused.
        synced: emitted with the ``CycleReport`` of every sync that ran.
    """

    received = Signal(object)
    failed = Signal(str)
    recovered = Signal()
    tampered = Signal(str)
    synced = Signal(object)

    def __init__(
        self,
        *,
        store: RecordStore,
        keystore: KeyStore,
        account_id: str,
        make_client: ClientMaker,
        url: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._keystore = keystore
        self._account_id = account_id
        self._make_client = make_client
        self._url = url
        self._client: httpx.Client | None = None
        self._call = BackgroundCall(self)
        self._call.returned.connect(self._on_call_returned)
        self._call.failed.connect(self._on_call_failed)
        self._call.finished.connect(self._on_call_finished)
        self._poll = QTimer(self)
        self._poll.setSingleShot(True)
        self._poll.timeout.connect(self.sync_now)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.sync_now)
        self._again = False
        self._stopped = True
        self._paused = False
        self._failure: str | None = None
        self.refused = 0
        self.interval_ms = POLL_MS

    # -- control ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Sync now, then keep syncing until ``shutdown``."""
        self._stopped = False
        self.sync_now()

    def set_paused(self, paused: bool) -> None:
        """Pause syncing (the subscription ended, or the app was offline too long) or go on.

        While paused nothing is pulled or pushed; changes made here meanwhile stay marked for
        pushing and go out with the first sync after the pause.
        """
        if paused == self._paused:
            return
        self._paused = paused
        if paused:
            self._poll.stop()
            self._debounce.stop()
        else:
            self.sync_now()

    @Slot()
    def changed_here(self) -> None:
        """A change was written here: push it soon (thread-safe through a queued signal)."""
        if not self._stopped and not self._paused:
            self._debounce.start()

    @Slot()
    def sync_now(self) -> None:
        """Sync at once (or right after the sync under way)."""
        if self._stopped or self._paused:
            return
        self._poll.stop()
        self._debounce.stop()
        if self._call.is_running():
            self._again = True
            return
        self._again = False
        if self._client is None:
            self._client = self._make_client(self._url)
        client = self._client
        store, keystore, account_id = self._store, self._keystore, self._account_id

        def work(context: CallContext) -> CycleReport | None:
            token = load_token(keystore, account_id)
            if token is None:  # signed out: nothing syncs
                return None
            return sync_account(
                DevicesApi(client),
                token=token,
                keystore=keystore,
                account_id=account_id,
                store=store,
                cancelled=context.cancelled,
            )

        self._call.start(work, name="device-sync", cancelled_message=CANCELLED)

    def shutdown(self, *, deadline_s: float = SHUTDOWN_S) -> None:
        """Stop syncing (signed out, switched away, quitting)."""
        self._stopped = True
        self._poll.stop()
        self._debounce.stop()
        self._call.shutdown(deadline_s=deadline_s)
        if self._client is not None:
            self._client.close()
            self._client = None

    def is_running(self) -> bool:
        """Return whether a sync is under way."""
        return self._call.is_running()

    # -- answers ---------------------------------------------------------------------------------

    @Slot(object)
    def _on_call_returned(self, report: object) -> None:
        if report is None:
            self._stopped = True  # signed out: the account flow locks the profile
            return
        assert isinstance(report, CycleReport)
        self.interval_ms = POLL_MS
        if self._failure is not None:
            self._failure = None
            self.recovered.emit()
        if report.tampered:
            first = self.refused == 0
            self.refused += report.tampered
            log.warning(
                "Refused %d record(s) from the service that did not verify", report.tampered
            )
            if first:
                self.tampered.emit(MSG_REFUSED)
        if report.received.ahead:
            log.warning(
                "%d record(s) carried a time far ahead of this clock", report.received.ahead
            )
        changed = report.received
        if changed != Received(replays=changed.replays, ahead=changed.ahead):
            self.received.emit(changed)
        self.synced.emit(report)

    @Slot(object)
    def _on_call_failed(self, error: SessionClockError) -> None:
        if self._stopped:
            return
        if isinstance(error, SignedOutError):
            self._stopped = True
        if isinstance(error, ServiceUnreachableError):
            self.interval_ms = min(self.interval_ms * 2, MAX_BACKOFF_MS)
            message = MSG_OFFLINE
        elif isinstance(error, DeviceSyncError):
            self.interval_ms = MAX_BACKOFF_MS
            message = str(error)
        else:
            self.interval_ms = min(self.interval_ms * 2, MAX_BACKOFF_MS)
            message = f"Syncing with your other devices failed: {error}"
        log.info("Device sync failed (%s)", type(error).__name__)
        if message != self._failure:
            self._failure = message
            self.failed.emit(message)

    @Slot()
    def _on_call_finished(self) -> None:
        if self._stopped or self._paused:
            return
        if self._again:
            self.sync_now()
            return
        self._poll.start(self.interval_ms)
