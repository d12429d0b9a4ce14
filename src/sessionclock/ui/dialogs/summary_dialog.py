"""The end-of-day summary: booked against actual times per session, and total overtime.

Private and local: it is computed on this computer and shown only here.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sessionclock.core.formatting import format_minutes, format_span, format_time
from sessionclock.core.summary import DaySummary, Progress

COLUMNS = ("Client", "Booked", "Started", "Ended", "Overtime")


class SummaryDialog(QDialog):
    """Shows a ``DaySummary`` as a table with the totals underneath."""

    def __init__(
        self,
        summary: DaySummary,
        *,
        tz: tzinfo,
        use_24h: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Today's summary")
        self.setAccessibleName("End-of-day summary")
        self.resize(720, 420)

        def when(value: datetime | None) -> str:
            return format_time(value, tz=tz, use_24h=use_24h) if value is not None else "as booked"

        self.table = QTableWidget(len(summary.sessions), len(COLUMNS))
        self.table.setAccessibleName("Sessions: booked and actual times")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, item in enumerate(summary.sessions):
            span = format_span(item.booked_start, item.booked_end, tz=tz, use_24h=use_24h)
            overtime = format_minutes(item.overtime) if item.overtime > timedelta(0) else "—"
            started, ended = when(item.actual_start), when(item.actual_end)
            if item.progress is Progress.UPCOMING:
                started, ended = "to come", ""
            elif item.progress is Progress.RUNNING and item.actual_end is None:
                ended = "running"
            cells = (item.session.client_name, span, started, ended, overtime)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

        self.total_label = QLabel(
            f"Total overtime: {format_minutes(summary.total_overtime)} · "
            f"started late by {format_minutes(summary.total_started_late)} in all · "
            f"booked {format_minutes(summary.booked_time)}, "
            f"worked {format_minutes(summary.worked_time)}"
        )
        self.total_label.setAccessibleName("Totals")
        self.total_label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total_label)
        layout.addWidget(buttons)
