"""The schedule side of the main window: the day shown, its sessions, and the editing buttons."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.countdown import ClockState
from sessionclock.core.models import Session
from sessionclock.core.themes import CHROME
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.prompts import Prompts
from sessionclock.ui.schedule.schedule_model import Column, ScheduleModel
from sessionclock.ui.schedule.session_dialog import SessionDialog

EMPTY_DAY = "No sessions booked on this day."

TOUCH_HEIGHT = 48
"""Height of the window's buttons: the minimum for a comfortable touch target."""

RESIZE_PRECISION = 100
"""How many rows beyond the visible ones the table measures to fit its columns."""


def touch_button(text: str, accessible: str) -> QPushButton:
    """Return a push button at least ``TOUCH_HEIGHT`` tall, named for screen readers."""
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH_HEIGHT)
    button.setAccessibleName(accessible)
    button.setToolTip(accessible)
    return button


class SchedulePane(QWidget):
    """One day's sessions with day navigation, add/edit/delete and the calendar sync button.

    It shows what the controller says and asks the controller to change it; deleting asks the
    practitioner first through *prompts*.

    Signals:
        sync_requested: the practitioner pressed "Sync from Calendar".
    """

    sync_requested = Signal()

    def __init__(self, controller: ClockController, *, prompts: Prompts) -> None:
        super().__init__()
        self._controller = controller
        self._prompts = prompts
        self._use_24h = True
        self._editing = True
        self._locked = False
        self._syncing = False
        tz = controller.clock.zone()

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
        # Fit the columns to the shown rows and the first RESIZE_PRECISION others: every row of
        # a real day (the importer refuses more than 100 sessions on one), without measuring all
        # of a store that holds thousands on a day each time a row changes.
        header.setResizeContentsPrecision(RESIZE_PRECISION)

        self.day_label = QLabel("Opening your schedule…")
        self.day_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.day_label.setAccessibleName("Day shown")
        font = self.day_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.day_label.setFont(font)
        self.previous_button = touch_button("◀", "Previous day")
        self.today_button = touch_button("&Today", "Show today")
        self.next_button = touch_button("▶", "Next day")
        for small in (self.previous_button, self.next_button):
            small.setFixedWidth(TOUCH_HEIGHT)
        self.add_button = touch_button("&Add…", "Add a session")
        self.edit_button = touch_button("Ed&it…", "Edit the selected session")
        self.delete_button = touch_button("&Delete", "Delete the selected session")
        self.sync_button = touch_button("Sync from &Calendar", "Sync sessions from your calendar")
        self.paused_label = QLabel()
        self.paused_label.setWordWrap(True)
        self.paused_label.setAccessibleName("Editing paused")
        self.paused_label.setStyleSheet(f"color: {CHROME.caution}; padding: 4px 0;")
        self.paused_label.hide()
        self.empty_label = QLabel(EMPTY_DAY)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(placeholder-text); padding: 12px;")

        navigation = QHBoxLayout()
        navigation.addWidget(self.previous_button)
        navigation.addWidget(self.day_label, 1)
        navigation.addWidget(self.today_button)
        navigation.addWidget(self.next_button)
        editing = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            editing.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(navigation)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.paused_label)
        layout.addLayout(editing)
        layout.addWidget(self.sync_button)

        controller.state_changed.connect(self._on_controller_state_changed)
        controller.schedule_changed.connect(self._on_controller_schedule_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.previous_button.clicked.connect(self.show_previous_day)
        self.next_button.clicked.connect(self.show_next_day)
        self.today_button.clicked.connect(self.show_today)
        self.add_button.clicked.connect(self.add_session)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.sync_button.clicked.connect(self.sync_requested)
        self._on_selection_changed()

    def set_use_24h(self, use_24h: bool) -> None:
        """Show times in 24-hour or 12-hour form, in the table and the session dialog."""
        self._use_24h = use_24h
        self.model.set_use_24h(use_24h)

    def set_syncing(self, running: bool) -> None:
        """Disable the sync button while a sync runs."""
        self._syncing = running
        self.sync_button.setText("Syncing…" if running else "Sync from &Calendar")
        self._update_buttons()

    def set_editing(self, allowed: bool, reason: str = "") -> None:
        """Allow or pause adding, editing, deleting and syncing (*reason*: why paused)."""
        self._editing = allowed
        self.paused_label.setText(f"Syncing and editing are paused. {reason}".strip())
        self.paused_label.setVisible(not allowed and not self._locked)
        self._update_buttons()

    def set_locked(self, locked: bool) -> None:
        """Show that no account is open (nothing of anyone's schedule), or that one is again."""
        self._locked = locked
        if locked:
            self.day_label.setText("Signed out")
            self.empty_label.setText("Sign in (Account ▸ Sign in) to see your schedule.")
            self.paused_label.hide()
        else:
            self.empty_label.setText(EMPTY_DAY)
        self._update_buttons()

    @property
    def editing_allowed(self) -> bool:
        """Return whether sessions can be added, edited and deleted now."""
        return self._editing and not self._locked

    def _update_buttons(self) -> None:
        allowed = self.editing_allowed
        has = self._selected_session() is not None
        self.add_button.setEnabled(allowed)
        self.edit_button.setEnabled(allowed and has)
        self.delete_button.setEnabled(allowed and has)
        self.sync_button.setEnabled(allowed and not self._syncing)
        for button in (self.previous_button, self.today_button, self.next_button):
            button.setEnabled(not self._locked)

    # -- reacting to the controller ------------------------------------------------------------

    @Slot(object)
    def _on_controller_state_changed(self, state: ClockState) -> None:
        current_id = state.current.id if state.current is not None else None
        self.model.set_current(current_id, state.now)

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

    # -- user actions --------------------------------------------------------------------------

    @Slot()
    def show_previous_day(self) -> None:
        """Show the day before the one shown."""
        self._controller.show_day(self._controller.displayed_day - timedelta(days=1))

    @Slot()
    def show_next_day(self) -> None:
        """Show the day after the one shown."""
        self._controller.show_day(self._controller.displayed_day + timedelta(days=1))

    @Slot()
    def show_today(self) -> None:
        """Show today."""
        self._controller.show_day(self._controller.today())

    def _selected_session(self) -> Session | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.session_at(rows[0].row()) if rows else None

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_buttons()

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
            use_24h=self._use_24h,
            parent=self,
        )

    @Slot()
    def add_session(self) -> None:
        """Ask for a new session and store it."""
        if not self.editing_allowed:
            return
        dialog = self.session_dialog()
        if dialog.exec() and dialog.result_session is not None:
            self._controller.add_session(dialog.result_session)

    @Slot()
    def edit_selected(self) -> None:
        """Edit the selected session."""
        session = self._selected_session()
        if session is None or not self.editing_allowed:
            return
        dialog = self.session_dialog(session)
        if dialog.exec() and dialog.result_session is not None:
            self._controller.update_session(dialog.result_session)

    @Slot()
    def delete_selected(self) -> None:
        """Delete the selected session after asking."""
        session = self._selected_session()
        if session is None or session.id is None or not self.editing_allowed:
            return
        if self._prompts.confirm(
            self, "Delete session", "Delete this session? This cannot be undone."
        ):
            self._controller.delete_session(session.id)
