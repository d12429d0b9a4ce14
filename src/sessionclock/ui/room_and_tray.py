"""Wires room mode, reminders, the tray (or the banner) and chimes onto the main window.

Kept apart from ``app.py`` so the composition root stays one call long for these parts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from sessionclock.core.preferences import Preferences
from sessionclock.core.themes import theme
from sessionclock.platform.autostart import LoginItem, create_login_item
from sessionclock.platform.wakelock import ScreenAwake, create_screen_awake
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.main.main_window import MainWindow
from sessionclock.ui.notices.banner import Banner
from sessionclock.ui.notices.chime_player import ChimePlayer
from sessionclock.ui.notices.reminder_presenter import Notifier, ReminderPresenter
from sessionclock.ui.notices.tray import TrayIcon, create_tray
from sessionclock.ui.room.room_window import CUE_MS, RoomWindow, add_room_mode_action

if TYPE_CHECKING:
    # The dialogs are built on demand, so they are not imported before the window shows.
    from sessionclock.ui.dialogs.settings_dialog import SettingsDialog
    from sessionclock.ui.dialogs.summary_dialog import SummaryDialog


class RoomAndTray(QObject):
    """Room mode, reminders and the tray for one main window.

    Attributes:
        room: the room-mode window.
        banner: the in-window notice strip (used where there is no tray).
        tray: the tray icon, or None where the desktop has none.
        presenter: announces reminders.
        player: plays chimes.
        room_action: the action that enters room mode (F11).

    Signals:
        sync_requested: the practitioner asked for a calendar sync from the tray.
        preferences_edited: emitted with the ``Preferences`` the practitioner accepted in the
            settings dialog; the app stores and applies them (``Application.update_preferences``).
    """

    sync_requested = Signal()
    preferences_edited = Signal(object)

    def __init__(
        self,
        *,
        window: MainWindow,
        controller: ClockController,
        preferences: Preferences,
        screen_awake: ScreenAwake | None = None,
        player: ChimePlayer | None = None,
        tray: TrayIcon | None = None,
        use_tray: bool = True,
        login_item: LoginItem | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._controller = controller
        self.room = RoomWindow(
            controller,
            display=preferences.display,
            screen_awake=screen_awake if screen_awake is not None else create_screen_awake(),
        )
        self.banner = Banner()
        self._insert_banner(window, self.banner)
        self.room_action = add_room_mode_action(window, self.room)
        toolbar = window.addToolBar("Room mode")
        toolbar.setObjectName("room-toolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.room_action)
        toolbar.widgetForAction(self.room_action).setAccessibleName("Room mode")
        self.room.left.connect(self._on_room_left)
        self._preferences = preferences
        self._login_item = login_item
        tools = window.menuBar().addMenu("&Tools")
        self.settings_action = QAction("&Settings…", window)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings)
        self.summary_action = QAction("Today's s&ummary…", window)
        self.summary_action.triggered.connect(self.open_summary)
        tools.addAction(self.settings_action)
        tools.addAction(self.summary_action)

        self.player = player if player is not None else ChimePlayer(self)
        if tray is None and use_tray:
            tray = create_tray(theme(preferences.display.theme), self)
        self.tray = tray
        notifier: Notifier = tray if tray is not None else self.banner
        self.presenter = ReminderPresenter(
            preferences=preferences.reminders, player=self.player, notifier=notifier, parent=self
        )
        self.presenter.add_cue_target(self.room.show_cue)
        self._main_cue_timer = QTimer(self)
        self._main_cue_timer.setSingleShot(True)
        self._main_cue_timer.timeout.connect(self._on_main_cue_timer_timeout)
        self.presenter.add_cue_target(self._cue_main)
        controller.reminder_due.connect(self.presenter._on_controller_reminder_due)
        controller.state_changed.connect(self.presenter._on_controller_state_changed)

        if tray is not None:
            controller.state_changed.connect(tray._on_controller_state_changed)
            tray.show_requested.connect(self.show_window)
            tray.room_mode_requested.connect(self.room.enter)
            tray.start_requested.connect(controller.start_now)
            tray.end_requested.connect(controller.end_now)
            tray.sync_requested.connect(self.sync_requested)
            tray.quit_requested.connect(self._on_tray_quit_requested)
            tray.show()
            app = QApplication.instance()
            if isinstance(app, QApplication):
                # With a tray, closing the window keeps the clock running there.
                app.setQuitOnLastWindowClosed(False)

    def apply_preferences(self, preferences: Preferences) -> None:
        """Use *preferences* (read from the store once it opens, or changed in Settings)."""
        self._preferences = preferences
        self.room.apply_display(preferences.display)
        self.presenter.set_preferences(preferences.reminders)
        if self.tray is not None:
            self.tray.set_palette(theme(preferences.display.theme))

    def settings_dialog(self) -> SettingsDialog:
        """Return the settings dialog for the preferences in force."""
        from sessionclock.ui.dialogs.settings_dialog import SettingsDialog

        login_item = self._login_item if self._login_item is not None else create_login_item()
        return SettingsDialog(self._preferences, login_item=login_item, parent=self._window)

    @Slot()
    def open_settings(self) -> SettingsDialog:
        """Show the settings dialog (window-modal); accepted preferences go out as a signal."""
        dialog = self.settings_dialog()
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._on_settings_dialog_accepted(dialog))
        dialog.open()
        return dialog

    def _on_settings_dialog_accepted(self, dialog: SettingsDialog) -> None:
        if dialog.login_error:
            self.notifier().notify("Start at login could not be changed", dialog.login_error)
        if dialog.result_preferences is not None:
            self.preferences_edited.emit(dialog.result_preferences)

    def summary_dialog(self) -> SummaryDialog:
        """Return the end-of-day summary dialog for today."""
        from sessionclock.core.summary import day_summary
        from sessionclock.ui.dialogs.summary_dialog import SummaryDialog

        controller = self._controller
        sessions = controller.sessions_on(controller.today())
        return SummaryDialog(
            day_summary(sessions, settings=controller.settings, now=controller.clock.now()),
            tz=controller.clock.zone(),
            use_24h=self._preferences.display.use_24h,
            parent=self._window,
        )

    @Slot()
    def open_summary(self) -> None:
        """Show today's summary."""
        self.summary_dialog().exec()

    @staticmethod
    def _insert_banner(window: MainWindow, banner: Banner) -> None:
        central = window.takeCentralWidget()
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.setSpacing(4)
        layout.addWidget(banner)
        if central is not None:
            layout.addWidget(central, 1)
        window.setCentralWidget(holder)

    def _cue_main(self) -> None:
        self._window.countdown.set_cue(True)
        self._main_cue_timer.start(CUE_MS)

    @Slot()
    def _on_main_cue_timer_timeout(self) -> None:
        self._window.countdown.set_cue(False)

    def notifier(self) -> Notifier:
        """Return where notices go: the tray, or the banner where there is none."""
        return self.tray if self.tray is not None else self.banner

    @Slot()
    def show_window(self) -> None:
        """Bring the main window back."""
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()

    @Slot()
    def _on_room_left(self) -> None:
        if not self._window.isVisible():
            self.show_window()

    @Slot()
    def _on_tray_quit_requested(self) -> None:
        self.room.close()
        if self.tray is not None:
            self.tray.hide()
        app = QApplication.instance()
        if app is not None:
            app.quit()
