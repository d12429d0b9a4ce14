"""The main window: the countdown beside the day's schedule, with the app's menus and toolbar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, Signal, SignalInstance, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QKeySequence,
    QPaintEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.countdown import EXTEND_MINUTES, ClockState
from sessionclock.core.preferences import DisplayPreferences
from sessionclock.core.themes import theme
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.clock.countdown_widget import CUE_MS, CountdownWidget
from sessionclock.ui.desktop import bring_to_front
from sessionclock.ui.main.placement import first_geometry
from sessionclock.ui.prompts import Prompts
from sessionclock.ui.schedule.schedule_pane import SchedulePane, touch_button

SCHEDULE_MIN_WIDTH = 420
SCHEDULE_MAX_WIDTH = 560


class MainWindow(QMainWindow):
    """The clinic computer's view: one calm countdown and the day's schedule.

    The window builds all of its own menus, its toolbar and the slot where notices appear, and
    says what the practitioner asked for through signals; the app decides what happens.

    Attributes:
        countdown: the clock face.
        schedule: the day's sessions and their editing buttons.
        splitter: divides the clock from the schedule (its state is remembered per computer).

    Signals:
        painted_once: emitted after the window's first paint (the app then opens the store).
        closed: emitted when the window was closed (the app keeps the clock in the tray, or quits).
        quit_requested: the practitioner chose Quit.
        room_mode_requested: the practitioner asked for room mode.
        settings_requested: the practitioner opened Settings.
        summary_requested: the practitioner asked for today's summary.
        sync_requested: the practitioner asked to sync from the calendar.
        calendar_settings_requested: the practitioner opened Calendar settings.
        export_requested: the practitioner asked to export the schedule (CSV or iCalendar).
        delete_data_requested: the practitioner asked to delete everything stored here.
        about_requested: the practitioner asked about Session Clock (version, licences).
    """

    painted_once = Signal()
    closed = Signal()
    quit_requested = Signal()
    room_mode_requested = Signal()
    settings_requested = Signal()
    summary_requested = Signal()
    sync_requested = Signal()
    calendar_settings_requested = Signal()
    export_requested = Signal()
    delete_data_requested = Signal()
    about_requested = Signal()

    def __init__(
        self, controller: ClockController, *, display: DisplayPreferences, prompts: Prompts
    ) -> None:
        super().__init__()
        self._controller = controller
        self._prompts = prompts
        self._painted = False
        self._divided = False
        self.setWindowTitle("Session Clock")

        self.countdown = CountdownWidget(controller.clock.zone())
        self.start_button = touch_button("&Start now", "Start the session now")
        self.end_button = touch_button("E&nd now", "End the current session now")
        self.extend_button = touch_button(
            f"+&{EXTEND_MINUTES} min", f"Give the current session {EXTEND_MINUTES} more minutes"
        )
        self.schedule = SchedulePane(controller, prompts=prompts)

        self._build_layout()
        self._build_menus()
        self._build_toolbar()
        self.apply_display(display)
        for button in (self.start_button, self.end_button, self.extend_button):
            button.setEnabled(False)  # until the first state arrives

        controller.state_changed.connect(self._on_controller_state_changed)
        controller.failed.connect(self._on_controller_failed)
        self.start_button.clicked.connect(controller.start_now)
        self.end_button.clicked.connect(controller.end_now)
        self.extend_button.clicked.connect(controller.extend)
        self.schedule.sync_requested.connect(self.sync_requested)

    def apply_display(self, display: DisplayPreferences) -> None:
        """Show the clock with *display*'s theme, time format and seconds setting."""
        self.countdown.set_theme(theme(display.theme))
        self.countdown.set_options(show_seconds=display.show_seconds, use_24h=display.use_24h)
        self.schedule.set_use_24h(display.use_24h)

    # -- chrome --------------------------------------------------------------------------------

    def _build_layout(self) -> None:
        actions = QHBoxLayout()
        for button in (self.start_button, self.end_button, self.extend_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            actions.addWidget(button)
        clock_side = QWidget()
        clock_layout = QVBoxLayout(clock_side)
        clock_layout.setContentsMargins(0, 0, 0, 0)
        clock_layout.addWidget(self.countdown, 1)
        clock_layout.addLayout(actions)
        self.schedule.setMinimumWidth(SCHEDULE_MIN_WIDTH)
        self.schedule.setMaximumWidth(SCHEDULE_MAX_WIDTH)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("clock-schedule-splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(clock_side)
        self.splitter.addWidget(self.schedule)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        body = QWidget()
        body_layout = QHBoxLayout(body)
        self.splitter.setHandleWidth(max(1, body_layout.spacing()))
        body_layout.addWidget(self.splitter)

        central = QWidget()
        self._notice_slot = QVBoxLayout(central)
        self._notice_slot.setContentsMargins(8, 8, 8, 0)
        self._notice_slot.setSpacing(4)
        self._notice_slot.addWidget(body, 1)
        self.setCentralWidget(central)

    def _build_menus(self) -> None:
        controller, schedule = self._controller, self.schedule
        bar = self.menuBar()
        session = bar.addMenu("&Session")
        self._action(session, "&Add session…", "Ctrl+N", schedule.add_session)
        self._action(session, "&Edit session…", "Ctrl+E", schedule.edit_selected)
        self._action(
            session, "&Delete session", QKeySequence.StandardKey.Delete, schedule.delete_selected
        )
        session.addSeparator()
        self.start_action = self._action(session, "&Start now", "Ctrl+Return", controller.start_now)
        self.end_action = self._action(session, "E&nd now", "Ctrl+Shift+Return", controller.end_now)
        self.extend_action = self._action(
            session, f"+&{EXTEND_MINUTES} min", "Ctrl++", controller.extend
        )
        session.addSeparator()
        self.export_action = self._action(
            session, "E&xport schedule…", "Ctrl+Shift+E", self.export_requested
        )
        self._action(session, "Delete all data on this computer…", None, self.delete_data_requested)
        session.addSeparator()
        # Ctrl+Q everywhere (Cmd+Q on macOS): the standard Quit key has no binding on Windows.
        self.quit_action = self._action(session, "&Quit", "Ctrl+Q", self.quit_requested)

        view = bar.addMenu("&View")
        self._action(view, "&Previous day", "Alt+Left", schedule.show_previous_day)
        self._action(view, "&Today", "Ctrl+T", schedule.show_today)
        self._action(view, "&Next day", "Alt+Right", schedule.show_next_day)
        view.addSeparator()
        self.room_action = self._action(
            view, "&Room mode", QKeySequence(Qt.Key.Key_F11), self.room_mode_requested
        )
        self.room_action.setToolTip("Show the clock fullscreen for the treatment room (F11)")

        calendar = bar.addMenu("&Calendar")
        self.sync_action = self._action(calendar, "&Sync now…", "Ctrl+R", self.sync_requested)
        self._action(
            calendar, "Calendar &settings…", "Ctrl+Shift+C", self.calendar_settings_requested
        )

        self.tools_menu = tools = bar.addMenu("&Tools")
        self.settings_action = self._action(
            tools, "&Settings…", QKeySequence.StandardKey.Preferences, self.settings_requested
        )
        self.summary_action = self._action(tools, "Today's s&ummary…", None, self.summary_requested)

        help_menu = bar.addMenu("&Help")
        self.about_action = self._action(
            help_menu, "&About Session Clock", None, self.about_requested
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_toolbar(self) -> None:
        toolbar = self.addToolBar("Room mode")
        toolbar.setObjectName("room-toolbar")
        toolbar.setMovable(False)
        toolbar.addAction(self.room_action)
        toolbar.widgetForAction(self.room_action).setAccessibleName("Room mode")

    def _action(
        self,
        menu: QMenu,
        text: str,
        shortcut: str | QKeySequence | QKeySequence.StandardKey | None,
        target: SignalInstance | Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(target)
        menu.addAction(action)
        return action

    def set_banner(self, banner: QWidget) -> None:
        """Put *banner* (where notices appear when there is no tray) above the clock."""
        self._notice_slot.insertWidget(0, banner)

    # -- reacting to the controller ------------------------------------------------------------

    @Slot(object)
    def _on_controller_state_changed(self, state: ClockState) -> None:
        self.countdown.set_state(state)
        for control, enabled in (
            (self.start_button, state.can_start),
            (self.start_action, state.can_start),
            (self.end_button, state.can_end),
            (self.end_action, state.can_end),
            (self.extend_button, state.can_extend),
            (self.extend_action, state.can_extend),
        ):
            control.setEnabled(enabled)

    @Slot(str)
    def _on_controller_failed(self, message: str) -> None:
        # A change the practitioner made was refused; the message says why and what to do next
        # (a locked key store, a full disk), which is more than the status bar can show.
        self._prompts.report(self, "The change was not saved", message)

    def show_message(self, message: str, timeout_ms: int = 15000) -> None:
        """Show *message* in the status bar (0: until replaced)."""
        self.statusBar().showMessage(message, timeout_ms)

    def set_syncing(self, running: bool) -> None:
        """Disable the sync controls while a sync runs."""
        self.schedule.set_syncing(running)
        self.sync_action.setEnabled(not running)

    def show_cue(self, duration_ms: int = CUE_MS) -> None:
        """Show a reminder's gentle visual cue on the clock for *duration_ms*."""
        self.countdown.show_cue(duration_ms)

    @Slot()
    def show_and_raise(self) -> None:
        """Bring the window back (from the tray, or from behind room mode)."""
        self.showNormal()
        bring_to_front(self)

    # -- placement -----------------------------------------------------------------------------

    def fit_to_screen(self) -> None:
        """Size and centre the window for the screen it opens on (a first start)."""
        screen = self.screen()
        self.setGeometry(first_geometry(screen.availableGeometry(), minimum=self.minimumSizeHint()))

    def restore_placement(self, geometry: QByteArray | None, splitter: QByteArray | None) -> None:
        """Put the window where *geometry* says and divide it as *splitter* says; fit it to the
        screen where nothing (or nothing usable) was saved."""
        if geometry is None or not self.restoreGeometry(geometry):
            self.fit_to_screen()
        if splitter is not None and self.splitter.restoreState(splitter):
            self._divided = True

    def placement(self) -> tuple[QByteArray, QByteArray]:
        """Return (geometry, splitter state) to remember."""
        return self.saveGeometry(), self.splitter.saveState()

    def _divide(self) -> None:
        # First start: three fifths for the clock and two for the schedule, as far as the
        # schedule's own limits allow; afterwards the practitioner's division is kept.
        room = self.splitter.width() - self.splitter.handleWidth()
        schedule = min(SCHEDULE_MAX_WIDTH, max(SCHEDULE_MIN_WIDTH, round(room * 2 / 5)))
        self.splitter.setSizes([room - schedule, schedule])

    # -- Qt events -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        if not self._divided:
            self._divided = True
            self._divide()
        super().showEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.painted_once.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()
