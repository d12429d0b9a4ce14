"""The day's schedule as a Qt table model over immutable sessions."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from sessionclock.core.formatting import format_minutes, format_span
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.schedule import overlapping_indexes
from sessionclock.core.themes import CHROME

_Index = QModelIndex | QPersistentModelIndex
SESSION_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Column(enum.IntEnum):
    """The table's columns."""

    TIME = 0
    CLIENT = 1
    LENGTH = 2
    STATUS = 3


_HEADERS = {
    Column.TIME: "Time",
    Column.CLIENT: "Client",
    Column.LENGTH: "Length",
    Column.STATUS: "Status",
}


class ScheduleModel(QAbstractTableModel):
    """Sessions of one day: time, client, length and status; current bold, past dimmed.

    The model holds a tuple of ``Session`` values, never database rows. ``set_current`` marks
    which session is in progress and the time against which "past" is judged.
    """

    def __init__(self, tz: tzinfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._sessions: tuple[Session, ...] = ()
        self._overlaps: frozenset[int] = frozenset()
        self._ends: tuple[datetime, ...] = ()
        self._current_id: int | None = None
        self._now: datetime | None = None
        self._past: frozenset[int] = frozenset()
        self._use_24h = True

    def set_sessions(self, sessions: tuple[Session, ...]) -> None:
        """Replace the rows.

        The work grows with the number of sessions, never with its square: a store can hold
        thousands of sessions on one day, and the schedule must still paint at once.
        """
        self.beginResetModel()
        self._sessions = sessions
        self._overlaps = overlapping_indexes(sessions)
        self._ends = tuple(s.end.astimezone(UTC) for s in sessions)
        self._past = self._past_rows()
        self.endResetModel()

    def set_use_24h(self, value: bool) -> None:
        """Show times in 24-hour or 12-hour form."""
        self._use_24h = value
        self._changed_all()

    def set_current(self, session_id: int | None, now: datetime) -> None:
        """Mark the session in progress and move "now"; only emits when a row's look changes."""
        changed = session_id != self._current_id
        self._current_id = session_id
        self._now = now
        past = self._past_rows()
        if changed or past != self._past:
            self._past = past
            self._changed_all()

    def session_at(self, row: int) -> Session | None:
        """Return the session shown in *row*."""
        return self._sessions[row] if 0 <= row < len(self._sessions) else None

    def row_of(self, session_id: int) -> int | None:
        """Return the row showing the session with *session_id*."""
        for row, session in enumerate(self._sessions):
            if session.id == session_id:
                return row
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._sessions)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return _HEADERS[Column(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._sessions):
            return None
        session = self._sessions[index.row()]
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(index.row(), session, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = []
            if index.row() in self._overlaps:
                tips.append("This session overlaps another booking.")
            if session.source is SessionSource.CALENDAR:
                tips.append("Imported from your calendar.")
            return " ".join(tips) or None
        if role == Qt.ItemDataRole.FontRole:
            if session.id is not None and session.id == self._current_id:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.row() in self._past:
                palette = QApplication.palette()
                return QBrush(palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
            if column is Column.STATUS and index.row() in self._overlaps:
                return QBrush(QColor(CHROME.caution))
            return None
        if role == SESSION_ID_ROLE:
            return session.id
        return None

    def _text(self, row: int, session: Session, column: Column) -> str:
        if column is Column.TIME:
            return format_span(session.start, session.end, tz=self._tz, use_24h=self._use_24h)
        if column is Column.CLIENT:
            return session.client_name
        if column is Column.LENGTH:
            return format_minutes(session.booked_length)
        status = []
        if session.id is not None and session.id == self._current_id:
            status.append("Now")
        elif row in self._past:
            status.append("Done")
        if row in self._overlaps:
            status.append("Overlaps")
        return " · ".join(status)

    def _past_rows(self) -> frozenset[int]:
        """Return the rows shown as done: ended by hand, or booked to end by now and not started
        (never the session in progress)."""
        if self._now is None:
            return frozenset()
        now = self._now.astimezone(UTC)
        return frozenset(
            row
            for row, (session, end) in enumerate(zip(self._sessions, self._ends, strict=True))
            if session.id != self._current_id
            and (session.actual_end is not None or (end <= now and session.actual_start is None))
        )

    def _changed_all(self) -> None:
        if self._sessions:
            last = self.index(len(self._sessions) - 1, len(Column) - 1)
            self.dataChanged.emit(self.index(0, 0), last)
