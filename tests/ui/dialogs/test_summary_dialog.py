"""The end-of-day summary dialog shows booked and actual times and the total overtime."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings
from sessionclock.core.summary import day_summary
from sessionclock.ui.dialogs.summary_dialog import SummaryDialog

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


LATER = at(23, 59)  # the summary at the end of the day


def cell(dialog: SummaryDialog, row: int, column: int) -> str:
    item = dialog.table.item(row, column)
    assert item is not None
    return item.text()


def test_rows_and_totals(qtbot: QtBot) -> None:
    sessions = [
        Session("Ann Lee", at(9), at(10), actual_start=at(9, 5), actual_end=at(10, 12), id=1),
        Session("Ben Okafor", at(10, 15), at(11), id=2),
    ]
    dialog = SummaryDialog(day_summary(sessions, settings=ClockSettings(), now=LATER), tz=TZ)
    qtbot.addWidget(dialog)
    table = dialog.table
    assert table.rowCount() == 2
    row = [cell(dialog, 0, c) for c in range(table.columnCount())]
    assert row == ["Ann Lee", "09:00–10:00", "09:05", "10:12", "12 min"]
    assert cell(dialog, 1, 2) == "as booked"
    assert cell(dialog, 1, 4) == "—"
    assert dialog.total_label.text().startswith("Total overtime: 12 min")


def test_twelve_hour_times(qtbot: QtBot) -> None:
    sessions = [Session("Ann Lee", at(13), at(14), actual_start=at(13, 2), id=1)]
    dialog = SummaryDialog(
        day_summary(sessions, settings=ClockSettings(), now=LATER), tz=TZ, use_24h=False
    )
    qtbot.addWidget(dialog)
    assert cell(dialog, 0, 2) == "1:02 PM"


def test_sessions_still_to_come_and_running_are_marked(qtbot: QtBot) -> None:
    sessions = [
        Session("Ann Lee", at(9), at(10), id=1),
        Session("Ben Ode", at(10, 15), at(11), id=2),
        Session("Cleo Park", at(13), at(14), id=3),
    ]
    summary = day_summary(sessions, settings=ClockSettings(), now=at(10, 30))
    dialog = SummaryDialog(summary, tz=TZ)
    qtbot.addWidget(dialog)
    assert (cell(dialog, 0, 2), cell(dialog, 0, 3)) == ("as booked", "as booked")
    assert cell(dialog, 1, 3) == "running"
    assert (cell(dialog, 2, 2), cell(dialog, 2, 3)) == ("to come", "")
