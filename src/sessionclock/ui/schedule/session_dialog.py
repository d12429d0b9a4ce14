"""Add or edit a session by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, tzinfo

from PySide6.QtCore import QDate, QTime, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.formatting import format_span
from sessionclock.core.models import Session
from sessionclock.core.schedule import overlapping
from sessionclock.core.themes import CHROME

_MAX_NAME = 120


class SessionDialog(QDialog):
    """A form for one session: client, day, start and end.

    Saving is refused while the form is invalid (no name, end not after start). An overlap with
    another booking is shown and must be confirmed with "Book it anyway", never silently accepted.

    Attributes:
        result_session: the session to store once the dialog is accepted.
    """

    def __init__(
        self,
        *,
        tz: tzinfo,
        day: date,
        sessions_on: Callable[[date], tuple[Session, ...]],
        session: Session | None = None,
        use_24h: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tz = tz
        self._sessions_on = sessions_on
        self._original = session
        self._use_24h = use_24h
        self.result_session: Session | None = None
        self.setWindowTitle("Edit session" if session else "Add session")
        self.setMinimumWidth(420)

        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(_MAX_NAME)
        self.name_edit.setPlaceholderText("Client name")
        self.name_edit.setAccessibleName("Client name")
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setAccessibleName("Day")
        time_format = "HH:mm" if use_24h else "h:mm AP"
        self.start_edit = QTimeEdit()
        self.start_edit.setDisplayFormat(time_format)
        self.start_edit.setAccessibleName("Start time")
        self.end_edit = QTimeEdit()
        self.end_edit.setDisplayFormat(time_format)
        self.end_edit.setAccessibleName("End time")
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {CHROME.error};")
        self.error_label.setWordWrap(True)
        self.overlap_label = QLabel()
        self.overlap_label.setStyleSheet(f"color: {CHROME.caution};")
        self.overlap_label.setWordWrap(True)
        self.overlap_check = QCheckBox("Book it anyway")
        self.overlap_check.setAccessibleName("Book the overlapping session anyway")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )

        form = QFormLayout()
        form.addRow("&Client", self.name_edit)
        form.addRow("&Day", self.date_edit)
        form.addRow("&Start", self.start_edit)
        form.addRow("&End", self.end_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.overlap_label)
        layout.addWidget(self.overlap_check)
        layout.addWidget(self.buttons)

        if session is not None:
            start = session.start.astimezone(tz)
            end = session.end.astimezone(tz)
            self.name_edit.setText(session.client_name)
            self.date_edit.setDate(QDate(start.year, start.month, start.day))
            self.start_edit.setTime(QTime(start.hour, start.minute))
            self.end_edit.setTime(QTime(end.hour, end.minute))
        else:
            self.date_edit.setDate(QDate(day.year, day.month, day.day))
            self.start_edit.setTime(QTime(9, 0))
            self.end_edit.setTime(QTime(10, 0))

        for signal in (
            self.name_edit.textChanged,
            self.date_edit.dateChanged,
            self.start_edit.timeChanged,
            self.end_edit.timeChanged,
            self.overlap_check.toggled,
        ):
            signal.connect(self._on_form_changed)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self._on_form_changed()

    def candidate(self) -> Session | None:
        """Return the session the form describes, or None while it is invalid."""
        return self._validate()[0]

    def _validate(self) -> tuple[Session | None, str]:
        name = self.name_edit.text().strip()
        if not name:
            return None, "Enter the client's name."
        qdate = self.date_edit.date()
        day = date(qdate.year(), qdate.month(), qdate.day())
        start = self._at(day, self.start_edit.time())
        end = self._at(day, self.end_edit.time())
        if end <= start:
            return None, "The end must be after the start."
        base = self._original
        if base is None:
            return Session(name, start, end), ""
        return base.with_changes(client_name=name, start=start, end=end), ""

    def _at(self, day: date, value: QTime) -> datetime:
        return datetime.combine(day, time(value.hour(), value.minute()), tzinfo=self._tz)

    @Slot()
    def _on_form_changed(self) -> None:
        session, error = self._validate()
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))
        clashes: tuple[Session, ...] = ()
        if session is not None:
            day = session.start.astimezone(self._tz).date()
            clashes = overlapping(session, self._sessions_on(day))
        if clashes:
            spans = ", ".join(
                format_span(s.start, s.end, tz=self._tz, use_24h=self._use_24h) for s in clashes
            )
            self.overlap_label.setText(f"This overlaps another booking ({spans}).")
        self.overlap_label.setVisible(bool(clashes))
        self.overlap_check.setVisible(bool(clashes))
        ok = session is not None and (not clashes or self.overlap_check.isChecked())
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)

    @Slot()
    def _on_buttons_accepted(self) -> None:
        session = self.candidate()
        if session is None:
            return
        self.result_session = session
        self.accept()
