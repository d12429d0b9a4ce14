"""The main window: the countdown beside the day's schedule."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.countdown import ClockState
from sessionclock.core.models import Session
from sessionclock.core.preferences import DisplayPreferences
from sessionclock.core.themes import theme
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.clock.countdown_widget import CountdownWidget
from sessionclock.ui.schedule.schedule_model import Column, ScheduleModel
from sessionclock.ui.schedule.session_dialog import SessionDialog

_TOUCH_HEIGHT = 48


class MainWindow(QMainWindow):
    """The clinic computer's view: one calm countdown and the day's schedule.

    Signals:
        close_requested: emitted when the window is closed; the app decides whether to quit.
        painted_once: emitted after the window's first paint (the app then opens the store).
        sync_requested: the practitioner asked to sync from the calendar.
        calendar_settings_requested: the practitioner opened Calendar settings.
        delete_data_requested: the practitioner asked to delete everything stored here.
    """

    close_requested = Signal()
    painted_once = Signal()
    sync_requested = Signal()
    calendar_settings_requested = Signal()
    delete_data_requested = Signal()

    def __init__(
        self,
        controller: ClockController,
        *,
        display: DisplayPreferences,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._controller = controller
        self._display = display
        self._painted = False
        tz = controller.clock.zone()
        self.setWindowTitle("Session Clock")
        self.resize(1280, 800)

        self.countdown = CountdownWidget(tz)
        self.start_button = self._button("&Start now", "Start the session now")
        self.end_button = self._button("E&nd now", "End the current session now")
        self.extend_button = self._button("&+5 min", "Give the current session five more minutes")

        self.model = ScheduleModel(tz, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Today's sessions")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setStyleSheet("QTableView::item { padding: 0 8px; }")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.CLIENT, QHeaderView.ResizeMode.Stretch)
        for column in (Column.TIME, Column.LENGTH, Column.STATUS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.day_label = QLabel("Opening your schedule…")
        self.day_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.day_label.setAccessibleName("Day shown")
        font = self.day_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.day_label.setFont(font)
        self.previous_button = self._button("◀", "Previous day")
        self.today_button = self._button("&Today", "Show today")
        self.next_button = self._button("▶", "Next day")
        for small in (self.previous_button, self.next_button):
            small.setFixedWidth(_TOUCH_HEIGHT)
        self.add_button = self._button("&Add…", "Add a session")
        self.edit_button = self._button("Ed&it…", "Edit the selected session")
        self.delete_button = self._button("&Delete", "Delete the selected session")
        self.sync_button = self._button("Sync from &Calendar", "Sync sessions from your calendar")
        self.empty_label = QLabel("No sessions booked on this day.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 12px;")

        self._build_layout()
        self._build_actions()
        self.apply_display(display)
        for button in (self.start_button, self.end_button, self.extend_button):
            button.setEnabled(False)  # until the first state arrives

        controller.state_changed.connect(self._on_controller_state_changed)
        controller.schedule_changed.connect(self._on_controller_schedule_changed)
        controller.failed.connect(self._on_controller_failed)
        self.start_button.clicked.connect(controller.start_now)
        self.end_button.clicked.connect(controller.end_now)
        self.extend_button.clicked.connect(controller.extend)
        self.previous_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(1))
        self.today_button.clicked.connect(lambda: controller.show_day(controller.today()))
        self.add_button.clicked.connect(self.add_session)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.sync_button.clicked.connect(self.sync_requested)
        self._on_selection_changed()

    def apply_display(self, display: DisplayPreferences) -> None:
        """Show the clock with *display*'s theme, time format and seconds setting."""
        self._display = display
        self.countdown.set_theme(theme(display.theme))
        self.countdown.set_options(show_seconds=display.show_seconds, use_24h=display.use_24h)
        self.model.set_use_24h(display.use_24h)

    # -- layout --------------------------------------------------------------------------------

    def _button(self, text: str, accessible: str) -> QPushButton:
        button = QPushButton(text)
        button.setMinimumHeight(_TOUCH_HEIGHT)
        button.setAccessibleName(accessible)
        button.setToolTip(accessible)
        return button

    def _build_layout(self) -> None:
        actions = QHBoxLayout()
        for button in (self.start_button, self.end_button, self.extend_button):
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            actions.addWidget(button)
        clock_side = QVBoxLayout()
        clock_side.addWidget(self.countdown, 1)
        clock_side.addLayout(actions)

        navigation = QHBoxLayout()
        navigation.addWidget(self.previous_button)
        navigation.addWidget(self.day_label, 1)
        navigation.addWidget(self.today_button)
        navigation.addWidget(self.next_button)
        editing = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            editing.addWidget(button)
        schedule_side = QVBoxLayout()
        schedule_side.addLayout(navigation)
        schedule_side.addWidget(self.table, 1)
        schedule_side.addWidget(self.empty_label)
        schedule_side.addLayout(editing)
        schedule_side.addWidget(self.sync_button)
        schedule = QWidget()
        schedule.setLayout(schedule_side)
        schedule.setMinimumWidth(420)
        schedule.setMaximumWidth(560)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addLayout(clock_side, 3)
        layout.addWidget(schedule, 2)
        self.setCentralWidget(central)

    def _build_actions(self) -> None:
        menu = self.menuBar()
        session_menu = menu.addMenu("&Session")
        self.add_action = self._action(session_menu, "&Add session…", "Ctrl+N", self.add_session)
        self.edit_action = self._action(
            session_menu, "&Edit session…", "Ctrl+E", self.edit_selected
        )
        self.delete_action = self._action(
            session_menu, "&Delete session", QKeySequence.StandardKey.Delete, self.delete_selected
        )
        session_menu.addSeparator()
        self._action(session_menu, "&Start now", "Ctrl+Return", self._controller.start_now)
        self._action(session_menu, "E&nd now", "Ctrl+Shift+Return", self._controller.end_now)
        self._action(session_menu, "&+5 min", "Ctrl++", self._controller.extend)
        session_menu.addSeparator()
        delete_data = QAction("Delete all data on this computer…", self)
        delete_data.triggered.connect(self.delete_data_requested)
        session_menu.addAction(delete_data)
        session_menu.addSeparator()
        self._action(session_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.view_menu = menu.addMenu("&View")
        self._action(self.view_menu, "&Previous day", "Alt+Left", lambda: self._go(-1))
        self._action(
            self.view_menu,
            "&Today",
            "Ctrl+T",
            lambda: self._controller.show_day(self._controller.today()),
        )
        self._action(self.view_menu, "&Next day", "Alt+Right", lambda: self._go(1))
        calendar_menu = menu.addMenu("&Calendar")
        self.sync_action = self._action(
            calendar_menu, "&Sync now…", "Ctrl+R", self.sync_requested.emit
        )
        self._action(
            calendar_menu,
            "Calendar &settings…",
            "Ctrl+Shift+C",
            self.calendar_settings_requested.emit,
        )

    def _action(
        self,
        menu: object,
        text: str,
        shortcut: str | QKeySequence.StandardKey,
        slot: object,
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    # -- reacting to the controller ------------------------------------------------------------

    @Slot(object)
    def _on_controller_state_changed(self, state: ClockState) -> None:
        self.countdown.set_state(state)
        current_id = state.current.id if state.current is not None else None
        self.model.set_current(current_id, state.now)
        self.start_button.setEnabled(state.can_start)
        self.end_button.setEnabled(state.can_end)
        self.extend_button.setEnabled(state.can_extend)

    @Slot(object, object)
    def _on_controller_schedule_changed(self, day: date, sessions: tuple[Session, ...]) -> None:
        selected = self._selected_session()
        self.model.set_sessions(sessions)
        self.empty_label.setVisible(not sessions)
        today = self._controller.today()
        prefix = {today: "Today", today - timedelta(days=1): "Yesterday"}.get(
            day, "Tomorrow" if day == today + timedelta(days=1) else ""
        )
        text = day.strftime("%a %d %b %Y")
        self.day_label.setText(f"{prefix} · {text}" if prefix else text)
        if selected is not None and selected.id is not None:
            row = self.model.row_of(selected.id)
            if row is not None:
                self.table.selectRow(row)
        self._on_selection_changed()

    @Slot(str)
    def _on_controller_failed(self, message: str) -> None:
        self.show_message(message)

    def show_message(self, message: str, timeout_ms: int = 15000) -> None:
        """Show *message* in the status bar (0: until replaced)."""
        self.statusBar().showMessage(message, timeout_ms)

    def set_syncing(self, running: bool) -> None:
        """Disable the sync controls while a sync runs."""
        self.sync_button.setEnabled(not running)
        self.sync_action.setEnabled(not running)
        self.sync_button.setText("Syncing…" if running else "Sync from &Calendar")

    # -- user actions --------------------------------------------------------------------------

    def _go(self, days: int) -> None:
        self._controller.show_day(self._controller.displayed_day + timedelta(days=days))

    def _selected_session(self) -> Session | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.session_at(rows[0].row()) if rows else None

    @Slot()
    def _on_selection_changed(self) -> None:
        has = self._selected_session() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.edit_selected()

    def session_dialog(self, session: Session | None = None) -> SessionDialog:
        """Return the add/edit dialog for *session* (a new one when None)."""
        return SessionDialog(
            tz=self._controller.clock.zone(),
            day=self._controller.displayed_day,
            sessions_on=self._controller.sessions_on,
            session=session,
            use_24h=self._display.use_24h,
            parent=self,
        )

    @Slot()
    def add_session(self) -> None:
        """Ask for a new session and store it."""
        dialog = self.session_dialog()
        if dialog.exec() and dialog.result_session is not None:
            self._controller.add_session(dialog.result_session)

    @Slot()
    def edit_selected(self) -> None:
        """Edit the selected session."""
        session = self._selected_session()
        if session is None:
            return
        dialog = self.session_dialog(session)
        if dialog.exec() and dialog.result_session is not None:
            self._controller.update_session(dialog.result_session)

    @Slot()
    def delete_selected(self) -> None:
        """Delete the selected session after asking."""
        session = self._selected_session()
        if session is None or session.id is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete session",
            "Delete this session? This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._controller.delete_session(session.id)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.painted_once.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.close_requested.emit()
        super().closeEvent(event)
