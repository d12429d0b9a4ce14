"""Run the device sync for whichever account the app shows, and show what it brings.

``DeviceSyncFlow`` follows the account flow: when a signed-in account is opened it starts a
``DeviceSync`` on that profile's records and watches the profile's repository for changes to
push; when the account is locked (signed out, switched away, deleted) it stops. Changes pulled
from other devices refresh the schedule, the clock and the preferences in force; failures go
to the status bar, and a refused record to the notices, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from sessionclock.core.devices.engine import Received
from sessionclock.core.keystore import KeyStore
from sessionclock.store.database import Database
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.device_sync.device_sync import ClientMaker, DeviceSync
from sessionclock.ui.main.main_window import MainWindow
from sessionclock.ui.notices.reminder_presenter import Notifier

if TYPE_CHECKING:
    from sessionclock.ui.account.account_flow import AccountFlow

TAMPERED_TITLE = "A change was ignored"


class ShownApp(Protocol):
    """What the flow needs of the app (``sessionclock.app.Application``)."""

    notifier: Notifier
    window: MainWindow

    def reload_profile(self) -> None:
        """Show the open profile's sessions and preferences again, as stored."""
        ...


class OpenedProfile(Protocol):
    """A profile the account flow opened (``sessionclock.profile.Profile``)."""

    database: Database
    keystore: KeyStore
    account_id: str
    repository: AccountRepository


class DeviceSyncFlow(QObject):
    """Syncs the account shown with the practitioner's other devices.

    Attributes:
        sync: the running sync, while a signed-in account is shown.

    Signals:
        changed_here: a change was written to the account shown (from any thread).
    """

    changed_here = Signal()

    def __init__(
        self, app: ShownApp, accounts: AccountFlow, *, make_client: ClientMaker, parent: QObject
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._accounts = accounts
        self._make_client = make_client
        self._profile: OpenedProfile | None = None
        self._paused = False
        self.sync: DeviceSync | None = None
        accounts.opened.connect(self._on_accounts_opened)
        accounts.locked.connect(self.stop)

    @Slot(object)
    def _on_accounts_opened(self, profile: OpenedProfile) -> None:
        self.stop()
        records = profile.database.sync_records(profile.account_id, profile.keystore)
        sync = DeviceSync(
            store=records,
            keystore=profile.keystore,
            account_id=profile.account_id,
            make_client=self._make_client,
            url=self._accounts.address.url,
            parent=self,
        )
        sync.received.connect(self._on_sync_received)
        sync.failed.connect(self._app.window.show_message)
        sync.tampered.connect(self._on_sync_tampered)
        self.changed_here.connect(sync.changed_here)
        profile.repository.watch_changes(self.changed_here.emit)
        self._profile, self.sync = profile, sync
        sync.set_paused(self._paused)
        sync.start()

    def set_paused(self, paused: bool) -> None:
        """Pause syncing with the other devices while the subscription does not allow it."""
        self._paused = paused
        if self.sync is not None:
            self.sync.set_paused(paused)

    @property
    def paused(self) -> bool:
        """Return whether syncing with the other devices is paused by the subscription."""
        return self._paused

    @Slot()
    def sync_now(self) -> None:
        """Sync the account shown at once (this device just joined, or the practitioner asked)."""
        if self.sync is not None:
            self.sync.sync_now()

    @Slot()
    def stop(self) -> None:
        """Stop syncing the account shown (it was locked, or the app quits)."""
        profile, sync = self._profile, self.sync
        self._profile = self.sync = None
        if profile is not None:
            profile.repository.watch_changes(None)
        if sync is not None:
            self.changed_here.disconnect(sync.changed_here)
            sync.shutdown()
            sync.deleteLater()

    @Slot(object)
    def _on_sync_received(self, _received: Received) -> None:
        self._app.reload_profile()

    @Slot(str)
    def _on_sync_tampered(self, message: str) -> None:
        self._app.notifier.notify(TAMPERED_TITLE, message)
