"""Composition root: builds the clock, the windows, the tray and the store, and wires them.

Nothing here holds a rule of its own, and no window is reached into: each says what the
practitioner asked for through its signals, and this module decides what happens. ``main`` is the
``sessionclock`` command (and ``python -m sessionclock``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QApplication, QDialog

from sessionclock import __version__
from sessionclock.core.clock import Clock, SystemClock
from sessionclock.core.errors import SessionClockError
from sessionclock.core.instance import current_user, instance_name
from sessionclock.core.logs import LogLevel, LogSetup, configure_logging
from sessionclock.core.preferences import Preferences, SyncPreferences
from sessionclock.core.themes import theme
from sessionclock.profile import Profile, load_preferences, open_profile, save_preferences
from sessionclock.ui.app_icon import app_icon
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.clock.ticker import SecondTicker
from sessionclock.ui.desktop import Desktop
from sessionclock.ui.diagnostics import CrashReporter, runtime
from sessionclock.ui.main.main_window import MainWindow
from sessionclock.ui.notices.banner import Banner
from sessionclock.ui.notices.chime_player import ChimePlayer
from sessionclock.ui.notices.reminder_presenter import Notifier, ReminderPresenter
from sessionclock.ui.notices.tray import TrayIcon
from sessionclock.ui.prompts import MessageBoxPrompts, Prompts
from sessionclock.ui.room.room_window import RoomWindow
from sessionclock.ui.single_instance import InstanceServer, ask_running_to_activate

if TYPE_CHECKING:
    # Built on demand, after the first paint: they bring httpx and the dialogs.
    from sessionclock.ui.dialogs.about_dialog import AboutDialog
    from sessionclock.ui.dialogs.settings_dialog import SettingsDialog
    from sessionclock.ui.dialogs.summary_dialog import SummaryDialog
    from sessionclock.ui.sync.calendar_dialog import CalendarDialog
    from sessionclock.ui.sync.sync_flow import SyncFlow

log = logging.getLogger(__name__)

KEPT_IN_TRAY = "kept-in-tray"
"""The one-time notice that closing the window keeps the clock running in the tray."""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(prog="sessionclock", description="A calm session clock.")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start with a throwaway demo day; no session is kept and no key store is used",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep the database and this computer's window settings in this folder instead of "
        "the platform's folders",
    )
    parser.add_argument(
        "--log-level",
        type=LogLevel,
        choices=list(LogLevel),
        default=LogLevel.INFO,
        help="how much Session Clock writes to its log file (default: info); never client data",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


class Application(QObject):
    """Everything the running app is made of, wired together.

    The window is built and shown before the profile opens, so something appears at once; the
    store (and its heavier libraries) is attached a moment later by ``open``. Everything that
    touches the computer comes in *desktop*, and every question or message to the practitioner
    goes through *prompts*, so tests can run the whole app on fakes.

    Attributes:
        clock: the clock everything reads.
        controller: the clock controller.
        ticker: the second ticker driving it.
        window: the main window.
        room: the room-mode window.
        banner: the notice strip in the main window (used where there is no tray).
        tray: the tray icon, or None where the desktop has no tray.
        notifier: where notices go: the tray, or the banner.
        player: plays the chimes.
        presenter: announces reminders.
        profile: the open profile, once ``open`` has run.
        preferences: the practitioner's preferences in force.
        sync_flow: calendar syncs and the background check, once ``open`` has run.

    Signals:
        finished: emitted with the exit status once the app has shut down (0 after Quit or
            after deleting all data, 1 when it could not start); ``main`` ends the event loop.
    """

    finished = Signal(int)

    def __init__(self, clock: Clock, *, desktop: Desktop, prompts: Prompts) -> None:
        super().__init__()
        self.clock = clock
        self._desktop = desktop
        self._prompts = prompts
        self._shut_down = False
        self.profile: Profile | None = None
        self.sync_flow: SyncFlow | None = None
        self.preferences = defaults = Preferences()

        self.controller = ClockController(clock=clock, store=None, settings=defaults.clock)
        self.ticker = SecondTicker(clock, self.controller)
        self.window = MainWindow(self.controller, display=defaults.display, prompts=prompts)
        self.window.restore_placement(
            desktop.settings.window_geometry(), desktop.settings.splitter_state()
        )
        self.room = RoomWindow(
            self.controller, display=defaults.display, screen_awake=desktop.screen_awake
        )
        self.banner = Banner()
        self.window.set_banner(self.banner)
        self.player = ChimePlayer(self, outputs=desktop.audio_outputs, sound=desktop.sound)
        self.tray = (
            TrayIcon(theme(defaults.display.theme), self) if desktop.tray_available() else None
        )
        self.notifier: Notifier = self.tray if self.tray is not None else self.banner
        self.presenter = ReminderPresenter(
            preferences=defaults.reminders, player=self.player, notifier=self.notifier, parent=self
        )
        self.presenter.add_cue_target(self.room.show_cue)
        self.presenter.add_cue_target(self.window.show_cue)
        self._wire()

    def _wire(self) -> None:
        controller, window, room, tray = self.controller, self.window, self.room, self.tray
        # (signal, what it sets off): who said what, and what the app does about it.
        wiring: list[tuple[SignalInstance, Callable[..., object]]] = [
            (self.ticker.ticked, controller.tick),
            (controller.reminder_due, self.presenter.announce),
            (controller.state_changed, self.presenter.check_next_client),
            (window.room_mode_requested, room.enter),
            (window.settings_requested, self.open_settings),
            (window.summary_requested, self.open_summary),
            (window.calendar_settings_requested, self.open_calendar_settings),
            (window.sync_requested, self.sync_now),
            (window.delete_data_requested, self._on_window_delete_data_requested),
            (window.about_requested, self.open_about),
            (window.quit_requested, self.quit),
            (window.closed, self._on_window_closed),
            (room.left, self._on_room_left),
        ]
        if tray is not None:
            wiring += [
                (controller.state_changed, tray.set_state),
                (tray.show_requested, window.show_and_raise),
                (tray.room_mode_requested, room.enter),
                (tray.start_requested, controller.start_now),
                (tray.end_requested, controller.end_now),
                (tray.sync_requested, self.sync_now),
                (tray.quit_requested, self.quit),
            ]
        for signal, slot in wiring:
            signal.connect(slot)
        if tray is not None:
            tray.show()

    # -- the profile ---------------------------------------------------------------------------

    def open(self, profile: Profile) -> None:
        """Attach *profile*: apply its preferences, show its sessions and start ticking."""
        self.profile = profile
        preferences = load_preferences(profile.repository)
        self.sync_flow = self._build_sync_flow(profile, preferences)
        self._apply(preferences)
        self.sync_flow.purge_old_sessions()
        self.controller.attach_store(profile.repository)
        self.ticker.start()

    def fail_to_start(self, message: str) -> None:
        """Say why the profile could not be opened, and end with exit status 1."""
        self._prompts.report(self.window, "Session Clock cannot start", message, serious=True)
        self.shutdown()
        self.finished.emit(1)

    def _build_sync_flow(self, profile: Profile, preferences: Preferences) -> SyncFlow:
        from sessionclock.ui.sync.sync_flow import SyncFlow  # brings httpx: after the first paint

        flow = SyncFlow(
            store=profile.repository,
            clock=self.clock,
            preferences=preferences.sync,
            prompts=self._prompts,
            parent_widget=self.window,
            parent=self,
        )
        flow.running_changed.connect(self.window.set_syncing)
        flow.synced.connect(self._on_sync_flow_synced)
        flow.failed.connect(self.window.show_message)
        flow.check_failed.connect(self.presenter.sync_failed)
        flow.calendar_changed.connect(self._on_sync_flow_calendar_changed)
        return flow

    @Slot()
    def _on_sync_flow_calendar_changed(self) -> None:
        message = "Your calendar has changed. Choose Sync from Calendar to review."
        self.window.show_message(message, 0)
        self.notifier.notify("Calendar changed", message)

    @Slot(int)
    def _on_sync_flow_synced(self, changes: int) -> None:
        self.controller.reload()
        noun = "change" if changes == 1 else "changes"
        self.window.show_message(f"Calendar synced: {changes} {noun} applied.")

    @Slot()
    def sync_now(self) -> None:
        """Sync from the calendar (once the profile is open)."""
        if self.sync_flow is not None:
            self.sync_flow.sync_now()

    # -- preferences ---------------------------------------------------------------------------

    def _apply(self, preferences: Preferences) -> None:
        self.preferences = preferences
        self.controller.set_settings(preferences.clock)
        self.window.apply_display(preferences.display)
        self.room.apply_display(preferences.display)
        self.presenter.set_preferences(preferences.reminders)
        if self.tray is not None:
            self.tray.set_palette(theme(preferences.display.theme))
        if self.sync_flow is not None:
            self.sync_flow.set_preferences(preferences.sync, use_24h=preferences.display.use_24h)

    def update_preferences(self, preferences: Preferences) -> None:
        """Store *preferences* for the account and apply them everywhere at once."""
        if self.profile is None:
            return
        try:
            save_preferences(self.profile.repository, preferences)
        except SessionClockError as e:
            self.window.show_message(f"Settings could not be saved: {e}")
            return
        self._apply(preferences)

    # -- dialogs: each is built here, opened window-modal and deleted when it closes ------------

    @staticmethod
    def _open(dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def open_settings(self) -> SettingsDialog:
        """Open Settings; the preferences accepted there are stored and applied."""
        from sessionclock.ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.preferences, login_item=self._desktop.login_item, parent=self.window
        )
        dialog.accepted.connect(lambda: self._on_settings_dialog_accepted(dialog))
        self._open(dialog)
        return dialog

    def _on_settings_dialog_accepted(self, dialog: SettingsDialog) -> None:
        if dialog.login_error:
            self.notifier.notify("Start at login could not be changed", dialog.login_error)
        if dialog.result_preferences is not None:
            self.update_preferences(dialog.result_preferences)

    @Slot()
    def open_summary(self) -> SummaryDialog:
        """Open today's summary."""
        from sessionclock.core.summary import day_summary
        from sessionclock.ui.dialogs.summary_dialog import SummaryDialog

        controller = self.controller
        dialog = SummaryDialog(
            day_summary(
                controller.sessions_on(controller.today()),
                settings=controller.settings,
                now=self.clock.now(),
            ),
            tz=self.clock.zone(),
            use_24h=self.preferences.display.use_24h,
            parent=self.window,
        )
        self._open(dialog)
        return dialog

    @Slot()
    def open_calendar_settings(self) -> CalendarDialog | None:
        """Open Calendar settings (connect, disconnect, sync options), once the profile is open."""
        from sessionclock.ui.sync.calendar_dialog import CalendarDialog

        if self.profile is None:
            return None
        dialog = CalendarDialog(
            self.profile.repository,
            preferences=self.preferences.sync,
            prompts=self._prompts,
            parent=self.window,
        )
        dialog.sync_requested.connect(dialog.accept)
        dialog.sync_requested.connect(self.sync_now)
        dialog.preferences_changed.connect(self._on_calendar_dialog_preferences_changed)
        self._open(dialog)
        return dialog

    @Slot()
    def open_about(self) -> AboutDialog:
        """Open About: the version, Qt and PySide6, and the bundled libraries' licences."""
        from sessionclock.core.licences import bundled_licences
        from sessionclock.ui.dialogs.about_dialog import AboutDialog

        dialog = AboutDialog(runtime(), bundled_licences(), parent=self.window)
        self._open(dialog)
        return dialog

    @Slot(object)
    def _on_calendar_dialog_preferences_changed(self, sync: SyncPreferences) -> None:
        self.update_preferences(replace(self.preferences, sync=sync))

    # -- deleting everything -------------------------------------------------------------------

    def delete_local_data(self) -> bool:
        """Delete, after asking, every row of this account and its key; True if deleted.

        The sessions, settings, fired reminders and the calendar address go from the database
        files at once (secure delete, WAL checkpoint), and the account's key from the key store.
        """
        profile = self.profile
        if profile is None:
            return False
        if not self._prompts.confirm(
            self.window,
            "Delete all data on this computer",
            "Delete every session, setting and the calendar connection stored on this computer? "
            "This cannot be undone. Session Clock closes afterwards.",
            serious=True,
        ):
            return False
        self.ticker.stop()
        if self.sync_flow is not None:
            self.sync_flow.shutdown()
        try:
            profile.database.delete_account(profile.account_id, profile.keystore)
        except SessionClockError as e:
            self._prompts.report(self.window, "Data could not be deleted", str(e), serious=True)
            self.ticker.start()
            return False
        return True

    @Slot()
    def _on_window_delete_data_requested(self) -> None:
        if self.delete_local_data():
            self.quit()

    # -- windows, quitting and closing ---------------------------------------------------------

    @Slot()
    def bring_to_front(self) -> None:
        """Show the clock in front of other windows (a second launch asked); room mode, if it is
        on, stays on and comes to the front instead of the main window."""
        if self.room.isVisible():
            self.room.enter()  # full screen again, even from minimised
        else:
            self.window.show_and_raise()

    @Slot(str)
    def show_crash(self, report: str) -> None:
        """Say that something unexpected went wrong, with *report* to copy for support."""
        self._prompts.crashed(self.window, report)

    @Slot()
    def _on_room_left(self) -> None:
        if not self.window.isVisible():
            self.window.show_and_raise()

    @Slot()
    def _on_window_closed(self) -> None:
        self._save_placement()
        if self.tray is None:
            self.quit()
            return
        settings = self._desktop.settings
        if not settings.was_told(KEPT_IN_TRAY):
            self.tray.notify(
                "Session Clock is still running",
                "The clock keeps counting in the tray. Choose Quit in its menu to end it.",
            )
            settings.mark_told(KEPT_IN_TRAY)

    def _save_placement(self) -> None:
        geometry, splitter = self.window.placement()
        self._desktop.settings.save_window(geometry=geometry, splitter=splitter)

    @Slot()
    def quit(self) -> None:
        """End the app (Quit in the menu or the tray, Ctrl+Q): shut down, then exit status 0."""
        self.shutdown()
        self.finished.emit(0)

    @Slot()
    def shutdown(self) -> None:
        """Stop ticking and any sync, remember the window, and close the profile (once)."""
        if self._shut_down:
            return
        self._shut_down = True
        self.ticker.stop()
        if self.sync_flow is not None:
            self.sync_flow.shutdown()
        self._save_placement()
        self.room.close()
        if self.tray is not None:
            self.tray.hide()
        if self.profile is not None:
            self.profile.close()


def build(profile: Profile, *, clock: Clock, desktop: Desktop, prompts: Prompts) -> Application:
    """Build the app for an already open *profile* (tests, renders and benchmarks)."""
    application = Application(clock, desktop=desktop, prompts=prompts)
    application.open(profile)
    return application


def watch_for_crashes(application: Application) -> CrashReporter:
    """Log unexpected errors of every thread and tell the practitioner through *application*;
    the returned reporter's ``uninstall`` stops it."""
    reporter = CrashReporter(application)
    # Queued: the dialog opens from the event loop, not from inside the exception hook.
    reporter.crashed.connect(application.show_crash, Qt.ConnectionType.QueuedConnection)
    reporter.install()
    return reporter


def main(argv: Sequence[str] | None = None, *, prompts: Prompts | None = None) -> int:
    """Run Session Clock; returns the process exit status.

    Args:
        argv: the command line without the program name (default: ``sys.argv[1:]``).
        prompts: how to ask and tell the practitioner things (default: message boxes).
    """
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logs = _start_logging(args.log_level, data_dir=args.data_dir)
    try:
        return _run(args, prompts=prompts if prompts is not None else MessageBoxPrompts())
    finally:
        if logs is not None:
            logs.close()


def _start_logging(level: LogLevel, *, data_dir: Path | None) -> LogSetup | None:
    """Log to the platform's log folder (or ``DATA_DIR/logs``); to the terminal only if that
    folder cannot be written."""
    try:
        return configure_logging(level, folder=data_dir / "logs" if data_dir else None)
    except OSError as e:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        log.warning("no log file: its folder cannot be written (%s)", e.strerror)
        return None


def _run(args: argparse.Namespace, *, prompts: Prompts) -> int:
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Session Clock")
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName("sessionclock")
    qt_app.setWindowIcon(app_icon())
    # One clock per user and profile: a second launch brings the running one to the front.
    name = instance_name(user=current_user(), data_dir=args.data_dir, demo=args.demo)
    if ask_running_to_activate(name):
        log.info("Session Clock was already running: brought it to the front")
        return 0
    # Closing the last window does not end the app by itself: with a tray the clock keeps
    # running there, and without one the application quits through its one shutdown path.
    qt_app.setQuitOnLastWindowClosed(False)
    clock = SystemClock()
    application = Application(
        clock, desktop=Desktop.system(data_dir=args.data_dir), prompts=prompts
    )
    application.finished.connect(qt_app.exit)
    # The session ending (log out, shut down) quits Qt without our Quit: shut down all the same.
    qt_app.aboutToQuit.connect(application.shutdown)
    server = InstanceServer(name, application)
    server.activation_requested.connect(application.bring_to_front)
    server.listen()
    reporter = watch_for_crashes(application)
    log.info(
        "Session Clock %s started (Qt %s, %s)",
        __version__,
        runtime().qt_version,
        "built app" if runtime().frozen else "from Python",
    )

    def open_when_shown() -> None:
        try:
            profile = open_profile(data_dir=args.data_dir, demo=args.demo, clock=clock)
        except SessionClockError as e:
            application.fail_to_start(str(e))
            return
        application.open(profile)

    application.window.painted_once.connect(
        lambda: QTimer.singleShot(0, open_when_shown), Qt.ConnectionType.SingleShotConnection
    )
    application.window.show()
    try:
        return qt_app.exec()
    finally:
        reporter.uninstall()
        server.close()
        application.shutdown()
