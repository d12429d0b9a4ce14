"""Composition root: builds the clock, the windows, the tray and the store, and wires them.

Nothing here holds a rule of its own, and no window is reached into: each says what the
practitioner asked for through its signals, and this module decides what happens. ``main`` is the
``sessionclock`` command (and ``python -m sessionclock``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from sessionclock import __version__
from sessionclock.core.clock import Clock, SystemClock
from sessionclock.core.errors import SessionClockError
from sessionclock.core.formatting import first_sentence
from sessionclock.core.instance import current_user, instance_name
from sessionclock.core.logs import LogLevel, LogSetup, configure_logging
from sessionclock.core.preferences import Preferences, SyncPreferences
from sessionclock.core.themes import theme
from sessionclock.profile import (
    LocalData,
    Profile,
    open_local_data,
    open_profile,
    record_sync,
)
from sessionclock.ui.app_icon import app_icon
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.clock.ticker import SecondTicker
from sessionclock.ui.cycles import GuiThreadCollector
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
    from sessionclock.core.account.access import Access
    from sessionclock.core.keystore import KeyStore
    from sessionclock.ui.account.account_flow import AccountFlow
    from sessionclock.ui.account.service_calls import ClientMaker
    from sessionclock.ui.device_sync.device_sync_flow import DeviceSyncFlow
    from sessionclock.ui.devices.devices_flow import DevicesFlow
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
        "--service-url",
        metavar="URL",
        help="the account service to sign in to (before SESSIONCLOCK_SERVICE_URL and this "
        "computer's settings); https, or http on this computer only",
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
        profile: the open profile, once ``open`` has run (None while no account is open).
        preferences: the practitioner's preferences in force.
        sync_flow: calendar syncs and the background check, once ``open`` has run.
        accounts: the practitioners' accounts on this computer, unless the app runs on one
            profile (``--demo``, tests).
        access_label: the status bar's line about the subscription (shown once accounts are
            attached).

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
        self.accounts: AccountFlow | None = None
        self.devices: DeviceSyncFlow | None = None
        self.device_screens: DevicesFlow | None = None
        self._local: LocalData | None = None
        self._access: Access | None = None
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
            (window.export_requested, self.export_schedule),
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
        # In the status bar only when there are accounts (the demo has no subscription to show).
        self.access_label = QLabel()
        self.access_label.setAccessibleName("Subscription")

    # -- the profile ---------------------------------------------------------------------------

    def open(self, profile: Profile) -> None:
        """Attach *profile* (instead of any open one): apply its preferences, show its sessions
        and start ticking."""
        if self.profile is not None:
            self.lock()
        self.profile = profile
        preferences = profile.repository.preferences()
        self.sync_flow = self._build_sync_flow(profile, preferences)
        self._apply(preferences)
        self.sync_flow.purge_old_sessions()
        self.window.schedule.set_locked(False)
        self._apply_access()
        self.controller.attach_store(profile.repository)
        self.ticker.start()

    @Slot()
    def lock(self) -> None:
        """Show nothing of the open profile any more (signed out, switched away, deleted): its
        sessions, settings and calendar are put away, and nothing of it syncs."""
        profile = self.profile
        if profile is None:
            return
        self.profile = None
        if self.sync_flow is not None:
            self.sync_flow.shutdown()
            self.sync_flow.deleteLater()
            self.sync_flow = None
        self.controller.detach_store()
        self.window.countdown.clear()
        self.room.countdown.clear()
        self.banner.hide()  # its notice may have been about the account put away
        self._apply(Preferences())
        self.window.schedule.set_locked(True)
        self._apply_access()
        profile.close()

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
        flow.failed.connect(self._on_sync_flow_failed)
        flow.check_failed.connect(self.presenter.sync_failed)
        flow.calendar_changed.connect(self._on_sync_flow_calendar_changed)
        return flow

    @Slot(str)
    def _on_sync_flow_failed(self, message: str) -> None:
        # The whole message is in a message box (a sync asked for) or a notice (a background
        # check); the status line keeps what happened, which fits on it.
        self.window.show_message(first_sentence(message))

    @Slot()
    def _on_sync_flow_calendar_changed(self) -> None:
        message = "Your calendar has changed. Choose Sync from Calendar to review."
        self.window.show_message(message, 0)
        self.notifier.notify("Calendar changed", message)

    @Slot(int)
    def _on_sync_flow_synced(self, changes: int) -> None:
        if self.profile is not None:
            try:
                record_sync(self.profile.repository, self.clock.now())
            except SessionClockError as e:
                log.warning("When the calendar synced could not be kept: %s", e)
        self.controller.reload()
        noun = "change" if changes == 1 else "changes"
        self.window.show_message(f"Calendar synced: {changes} {noun} applied.")

    @Slot()
    def reload_profile(self) -> None:
        """Show the open profile as stored again (another device changed it)."""
        if self.profile is not None:
            self._apply(self.profile.repository.preferences())
            self.controller.reload()

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
            self.profile.repository.save_preferences(preferences)
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

    # -- export --------------------------------------------------------------------------------

    @Slot()
    def export_schedule(self) -> Path | None:
        """Save every stored session as CSV or iCalendar where the practitioner chooses.

        Always possible, with or without a subscription. Returns where it was saved.
        """
        from sessionclock.core.export import ExportFormat, export_text

        if self.profile is None:
            return None
        day = self.controller.today().isoformat()
        path = self._prompts.choose_save_path(
            self.window,
            "Export schedule",
            Path.home() / f"session-clock-schedule-{day}.csv",
            "Spreadsheet (CSV) (*.csv);;Calendar (iCalendar) (*.ics)",
        )
        if path is None:
            return None
        fmt = ExportFormat.ICALENDAR if path.suffix.lower() == ".ics" else ExportFormat.CSV
        try:
            data = export_text(
                self.profile.repository.all_sessions(),
                fmt=fmt,
                tz=self.clock.zone(),
                now=self.clock.now(),
            )
            path.write_bytes(data)
        except (SessionClockError, OSError) as e:
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            self._prompts.report(self.window, "The schedule could not be exported", reason)
            return None
        self.window.show_message(f"Schedule exported to {path.name}.")
        return path

    # -- accounts ------------------------------------------------------------------------------

    def attach_accounts(self, flow: AccountFlow, local: LocalData) -> None:
        """Run on the practitioners' accounts of this computer: *flow* says which profile to
        show, or that none is (signed out); the app shows it and keeps to what the
        subscription allows."""
        from sessionclock.core.account.access import running_since

        self.accounts, self._local = flow, local
        self.window.menuBar().insertMenu(self.window.tools_menu.menuAction(), flow.menu)
        self.window.statusBar().addPermanentWidget(self.access_label)
        wiring: list[tuple[SignalInstance, Callable[..., object]]] = [
            (flow.opened, self.open),
            (flow.locked, self.lock),
            (flow.demo_requested, self.open_demo),
            (flow.access_changed, self._on_accounts_access_changed),
            (flow.noticed, self.notifier.notify),
            (self.controller.state_changed, lambda state: flow.tick(running_since(state))),
        ]
        for signal, slot in wiring:
            signal.connect(slot)
        if self.profile is None:
            self.window.schedule.set_locked(True)
        self._on_accounts_access_changed(flow.watch.access)

    @Slot()
    def open_demo(self) -> None:
        """Show a throwaway demo day (no account, no network, nothing kept)."""
        try:
            self.open(open_profile(data_dir=None, demo=True, clock=self.clock))
        except SessionClockError as e:
            self._prompts.report(self.window, "The demo could not start", str(e))
            return
        self._on_accounts_access_changed(self._access)

    @Slot(object)
    def _on_accounts_access_changed(self, access: Access | None) -> None:
        from sessionclock.core.account.access import Standing

        before, self._access = self._access, access
        self._apply_access()
        flow = self.accounts
        if flow is None or access is None:
            return
        lost = access.standing in {Standing.RECONNECT, Standing.LAPSED}
        if lost and (before is None or before.standing != access.standing):
            title = (
                "Connect to the internet"
                if access.standing is Standing.RECONNECT
                else "Your subscription has ended"
            )
            self.notifier.notify(title, flow.explanation(access))

    def _apply_access(self) -> None:
        """Allow or pause syncing and editing as the subscription says, and say so."""
        from sessionclock.core.account.access import pause_reason

        flow, access = self.accounts, self._access
        demo = self.profile is not None and self.profile.demo
        if flow is None or access is None or demo:
            allowed, reason = True, ""
        else:
            allowed, reason = access.editing, pause_reason(access)
        self.window.schedule.set_editing(allowed, reason)
        if self.sync_flow is not None:
            self.sync_flow.set_paused(None if allowed else f"Calendar sync is paused. {reason}")
        if self.devices is not None:
            self.devices.set_paused(not allowed)
        if flow is not None:
            text = (
                flow.status_text(access)
                if access is not None and not demo
                else ("Demo day: nothing is kept" if demo else "Not signed in")
            )
            if self.profile is None:
                text = "Not signed in"
            self.access_label.setText(text)
            explained = "" if access is None or demo else flow.explanation(access)
            self.access_label.setToolTip(explained)

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
        if self.device_screens is not None:
            self.device_screens.detach()
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
        if self.devices is not None:
            self.devices.stop()
        if self.device_screens is not None:
            self.device_screens.detach()
        if self.accounts is not None:
            self.accounts.shutdown()
        if self.profile is not None:
            self.profile.close()
        if self._local is not None:
            self._local.close()


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
    # Reference cycles are collected on this thread only: never a Qt object freed by a worker.
    collector = GuiThreadCollector(qt_app)
    clock = SystemClock()
    desktop = Desktop.system(data_dir=args.data_dir)
    application = Application(clock, desktop=desktop, prompts=prompts)
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
            if args.demo:
                application.open(open_profile(data_dir=None, demo=True, clock=clock))
            else:
                start_accounts(
                    application,
                    data_dir=args.data_dir,
                    service_url=args.service_url,
                    desktop=desktop,
                    prompts=prompts,
                )
        except SessionClockError as e:
            application.fail_to_start(str(e))

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
        collector.stop()
        # Nothing may paint once the app has ended: main() can run again in one process (tests),
        # and a window left showing would be painted while Python frees it.
        application.window.hide()


def start_accounts(
    application: Application,
    *,
    data_dir: Path | None,
    service_url: str | None,
    desktop: Desktop,
    prompts: Prompts,
    make_client: ClientMaker | None = None,
    keystore: KeyStore | None = None,
) -> AccountFlow:
    """Open this computer's profiles and show the account signed in last (or the welcome).

    Args:
        application: the app to show them in.
        data_dir: where the database is (``--data-dir``; None: the per-user data folder).
        service_url: the ``--service-url`` given, if any.
        desktop: this computer's services (settings, browser, name).
        prompts: how to ask and tell the practitioner things.
        make_client: makes the service's httpx client (default: ``make_service_client``).
        keystore: the key store (default: the OS key store).

    Raises:
        SessionClockError: the service address is refused, or the key store or the database
            cannot be used (the message says why).
    """
    from sessionclock.core.account.address import service_address
    from sessionclock.core.account.client import make_service_client
    from sessionclock.ui.account.account_flow import AccountFlow
    from sessionclock.ui.device_sync.device_sync_flow import DeviceSyncFlow
    from sessionclock.ui.devices.devices_flow import DevicesFlow

    address = service_address(
        command_line=service_url, environ=os.environ, setting=desktop.settings.service_url()
    )
    local = open_local_data(data_dir=data_dir, keystore=keystore)
    flow = AccountFlow(
        local=local,
        address=address,
        make_client=make_client or make_service_client,
        clock=application.clock,
        desktop=desktop,
        prompts=prompts,
        window=application.window,
        parent=application,
    )
    application.attach_accounts(flow, local)
    application.devices = DeviceSyncFlow(
        application, flow, make_client=make_client or make_service_client, parent=application
    )
    screens = application.device_screens = DevicesFlow(
        make_client=make_client or make_service_client,
        url=address.url,
        clock=application.clock,
        prompts=prompts,
        window=application.window,
        parent=application,
    )
    screens.follow(flow)
    screens.noticed.connect(application.notifier.notify)
    screens.joined.connect(application.devices.sync_now)
    flow.start()
    return flow
