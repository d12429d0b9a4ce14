"""Composition root: builds the store, the clock, the controller and the windows, and wires them.

Nothing here holds a rule of its own. ``main`` is the ``sessionclock`` command.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from sessionclock import __version__
from sessionclock.core.clock import Clock, SystemClock
from sessionclock.core.errors import SessionClockError
from sessionclock.core.preferences import Preferences
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.clock.ticker import SecondTicker
from sessionclock.ui.main.main_window import MainWindow
from sessionclock.ui.room_and_tray import RoomAndTray

if TYPE_CHECKING:
    # The store pulls in SQLAlchemy, Alembic and cryptography: imported once the window shows.
    from sessionclock.core.keystore import KeyStore
    from sessionclock.store.database import Database
    from sessionclock.store.repository import AccountRepository
    from sessionclock.ui.sync.sync_flow import SyncFlow

log = logging.getLogger(__name__)

PREFERENCES_KEY = "preferences"


@dataclass
class Profile:
    """An open profile: the database, the key store and the account the clock shows.

    Attributes:
        database: the open database.
        keystore: where the account's key lives.
        account_id: the account on this computer whose sessions are shown.
        repository: that account's repository.
        cleanups: run in reverse order on close (the demo's temporary folder).
    """

    database: Database
    keystore: KeyStore
    account_id: str
    repository: AccountRepository
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        """Close the database and remove anything temporary."""
        self.database.close()
        for cleanup in reversed(self.cleanups):
            cleanup()


def open_profile(*, data_dir: Path | None, demo: bool, clock: Clock) -> Profile:
    """Open the practitioner's profile, or a throwaway demo profile filled with a day.

    Raises:
        SessionClockError: the key store or the database cannot be used (the message says why).
    """
    import tempfile

    from sessionclock.core.demo import demo_day
    from sessionclock.core.keystore import KeyringKeyStore, MemoryKeyStore
    from sessionclock.store.database import Database, default_database_path

    cleanups: list[Callable[[], None]] = []
    keystore: KeyStore
    if demo:
        folder = tempfile.TemporaryDirectory(prefix="sessionclock-demo-")
        cleanups.append(folder.cleanup)
        path = Path(folder.name) / "sessionclock.db"
        keystore = MemoryKeyStore()
    else:
        path = (data_dir / "sessionclock.db") if data_dir else default_database_path()
        keystore = KeyringKeyStore()
        keystore.check_available()
    database = Database.open(path)
    accounts = database.account_ids()
    account_id = accounts[0] if accounts else database.create_account()
    repository = database.repository(account_id, keystore)
    if demo:
        for session in demo_day(clock.now()):
            repository.add(session)
    return Profile(database, keystore, account_id, repository, cleanups)


def load_preferences(repository: AccountRepository) -> Preferences:
    """Return the account's preferences (defaults where none are stored)."""
    return Preferences.from_json(repository.get_setting(PREFERENCES_KEY))


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="sessionclock", description="A calm session clock.")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start with a throwaway demo day; nothing is kept and no key store is used",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the database in this folder instead of the platform's data folder",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


class Application:
    """Everything the running app is made of, wired together.

    The window is built and shown before the profile opens, so something appears at once; the
    store (and its heavier libraries) is attached a moment later by ``open``.

    Attributes:
        clock: the clock everything reads.
        controller: the clock controller.
        ticker: the second ticker driving it.
        window: the main window.
        room_and_tray: room mode, reminders and the tray (or the in-window banner).
        profile: the open profile, once ``open`` has run.
        preferences: the practitioner's preferences in force.
        sync_flow: calendar syncs and the background check, once ``open`` has run.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        defaults = Preferences()
        self.controller = ClockController(clock=clock, store=None, settings=defaults.clock)
        self.ticker = SecondTicker(clock, self.controller)
        self.ticker.ticked.connect(self.controller.tick)
        self.window = MainWindow(self.controller, display=defaults.display)
        self.room_and_tray = RoomAndTray(
            window=self.window, controller=self.controller, preferences=defaults
        )
        self.room_and_tray.preferences_edited.connect(self.update_preferences)
        self.profile: Profile | None = None
        self.preferences = defaults
        self.window.delete_data_requested.connect(self._on_window_delete_data_requested)
        self.sync_flow: SyncFlow | None = None

    def open(self, profile: Profile) -> None:
        """Attach *profile*: apply its preferences, show its sessions and start ticking."""
        self.profile = profile
        preferences = load_preferences(profile.repository)
        self.sync_flow = self._build_sync_flow(profile, preferences)
        self._apply(preferences)
        self.sync_flow.purge_old_sessions()
        self.controller.attach_store(profile.repository)
        self.ticker.start()

    def _build_sync_flow(self, profile: Profile, preferences: Preferences) -> SyncFlow:
        from sessionclock.ui.sync.sync_flow import SyncFlow  # brings httpx: after the first paint

        flow = SyncFlow(
            store=profile.repository,
            clock=self.clock,
            preferences=preferences.sync,
            parent_widget=self.window,
            parent=self.controller,
        )
        window = self.window
        window.sync_requested.connect(flow.sync_now)
        self.room_and_tray.sync_requested.connect(flow.sync_now)
        window.calendar_settings_requested.connect(self.show_calendar_settings)
        flow.running_changed.connect(window.set_syncing)
        flow.synced.connect(self._on_sync_flow_synced)
        flow.failed.connect(window.show_message)
        flow.check_failed.connect(self.room_and_tray.presenter.sync_failed)
        flow.calendar_changed.connect(self._on_sync_flow_calendar_changed)
        return flow

    def _on_sync_flow_calendar_changed(self) -> None:
        message = "Your calendar has changed. Choose Sync from Calendar to review."
        self.window.show_message(message, 0)
        self.room_and_tray.notifier().notify("Calendar changed", message)

    def _on_sync_flow_synced(self, changes: int) -> None:
        self.controller.reload()
        noun = "change" if changes == 1 else "changes"
        self.window.show_message(f"Calendar synced: {changes} {noun} applied.")

    def _apply(self, preferences: Preferences) -> None:
        self.preferences = preferences
        self.controller.set_settings(preferences.clock)
        self.window.apply_display(preferences.display)
        self.room_and_tray.apply_preferences(preferences)
        if self.sync_flow is not None:
            self.sync_flow.set_preferences(preferences.sync, use_24h=preferences.display.use_24h)

    def update_preferences(self, preferences: Preferences) -> None:
        """Store *preferences* for the account and apply them everywhere at once."""
        if self.profile is None:
            return
        try:
            self.profile.repository.set_setting(PREFERENCES_KEY, preferences.to_json())
        except SessionClockError as e:
            self.window.show_message(f"Settings could not be saved: {e}")
            return
        self._apply(preferences)

    def show_calendar_settings(self) -> None:
        """Open Calendar settings (connect, disconnect, sync options)."""
        from sessionclock.ui.sync.calendar_dialog import CalendarDialog

        if self.profile is None or self.sync_flow is None:
            return
        dialog = CalendarDialog(
            self.profile.repository, preferences=self.preferences.sync, parent=self.window
        )
        dialog.sync_requested.connect(dialog.accept)
        dialog.sync_requested.connect(self.sync_flow.sync_now)
        dialog.preferences_changed.connect(
            lambda sync: self.update_preferences(replace(self.preferences, sync=sync))
        )
        dialog.exec()
        dialog.deleteLater()

    def delete_local_data(self) -> bool:
        """Delete, after asking, every row of this account and its key; True if deleted.

        The sessions, settings, fired reminders and the calendar address go from the database
        files at once (secure delete, WAL checkpoint), and the account's key from the key store.
        """
        profile = self.profile
        if profile is None:
            return False
        answer = QMessageBox.warning(
            self.window,
            "Delete all data on this computer",
            "Delete every session, setting and the calendar connection stored on this computer? "
            "This cannot be undone. Session Clock closes afterwards.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.ticker.stop()
        if self.sync_flow is not None:
            self.sync_flow.shutdown()
        try:
            profile.database.delete_account(profile.account_id, profile.keystore)
        except SessionClockError as e:
            QMessageBox.critical(self.window, "Data could not be deleted", str(e))
            return False
        return True

    def _on_window_delete_data_requested(self) -> None:
        if self.delete_local_data():
            QApplication.quit()

    def shutdown(self) -> None:
        """Stop ticking and any sync, and close the profile."""
        self.ticker.stop()
        if self.sync_flow is not None:
            self.sync_flow.shutdown()
        if self.profile is not None:
            self.profile.close()


def build(profile: Profile, *, clock: Clock) -> Application:
    """Build the app for an already open *profile* (tests, renders and benchmarks)."""
    application = Application(clock)
    application.open(profile)
    return application


def main(argv: Sequence[str] | None = None) -> int:
    """Run Session Clock; returns the process exit status."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Warnings from libraries, and what the app itself says at INFO (never client data).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("sessionclock").setLevel(logging.INFO)
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Session Clock")
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName("sessionclock")
    clock = SystemClock()
    application = Application(clock)
    application.window.show()

    def open_when_shown() -> None:
        try:
            profile = open_profile(data_dir=args.data_dir, demo=args.demo, clock=clock)
        except SessionClockError as e:
            QMessageBox.critical(application.window, "Session Clock cannot start", str(e))
            qt_app.exit(1)
            return
        application.open(profile)

    application.window.painted_once.connect(
        lambda: QTimer.singleShot(0, open_when_shown), Qt.ConnectionType.SingleShotConnection
    )
    try:
        return qt_app.exec()
    finally:
        application.shutdown()
