"""The schedule model shows sessions and passes Qt's model tester."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from pytestqt.modeltest import ModelTester

from sessionclock.core.models import Session, SessionSource
from sessionclock.core.schedule import overlapping
from sessionclock.ui.schedule.schedule_model import SESSION_ID_ROLE, Column, ScheduleModel
from tests.support.sessions import busy_day
from tests.support.work import calls_made

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


SESSIONS = (
    Session("Ann Lee", at(9), at(10), id=1),
    Session("Ben Ode", at(9, 30), at(10, 30), source=SessionSource.CALENDAR, id=2),
    Session("Cleo Park", at(11), at(12), id=3),
)


def text(model: ScheduleModel, row: int, column: Column) -> object:
    return model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)


def test_model_tester_passes_empty_and_filled(qtmodeltester: ModelTester) -> None:
    model = ScheduleModel(TZ)
    qtmodeltester.check(model)
    model.set_sessions(SESSIONS)
    model.set_current(1, at(9, 15))
    qtmodeltester.check(model)
    assert model.rowCount() == 3
    assert model.columnCount() == len(Column)
    assert model.rowCount(model.index(0, 0)) == 0


def test_rows_show_time_client_length_and_status() -> None:
    model = ScheduleModel(TZ)
    model.set_sessions(SESSIONS)
    model.set_current(1, at(9, 15))
    assert text(model, 0, Column.TIME) == "09:00–10:00"
    assert text(model, 0, Column.CLIENT) == "Ann Lee"
    assert text(model, 0, Column.LENGTH) == "1 h"
    assert text(model, 0, Column.STATUS) == "Now · Overlaps"
    assert text(model, 1, Column.STATUS) == "Overlaps"
    assert text(model, 2, Column.STATUS) == ""
    assert model.data(model.index(1, Column.CLIENT), Qt.ItemDataRole.ToolTipRole) == (
        "This session overlaps another booking. Imported from your calendar."
    )
    assert model.data(model.index(2, 0), SESSION_ID_ROLE) == 3
    assert model.headerData(Column.CLIENT, Qt.Orientation.Horizontal) == "Client"
    assert model.data(QModelIndex()) is None


def test_current_is_bold_and_past_is_dimmed() -> None:
    model = ScheduleModel(TZ)
    model.set_sessions(SESSIONS)
    model.set_current(3, at(11, 5))
    font = model.data(model.index(2, 0), Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.bold()
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None
    assert text(model, 0, Column.STATUS) == "Done · Overlaps"
    assert model.data(model.index(2, 0), Qt.ItemDataRole.ForegroundRole) is None


def test_moving_time_emits_data_changed_only_when_a_row_changes(qtbot: object) -> None:
    model = ScheduleModel(TZ)
    model.set_sessions(SESSIONS)
    model.set_current(None, at(8))
    changes: list[object] = []
    model.dataChanged.connect(lambda *args: changes.append(args))
    model.set_current(None, at(8) + timedelta(seconds=1))
    assert changes == []
    model.set_current(1, at(9))
    assert len(changes) == 1


def test_twelve_hour_times() -> None:
    model = ScheduleModel(TZ)
    model.set_sessions(SESSIONS)
    model.set_use_24h(False)
    assert text(model, 2, Column.TIME) == "11:00 AM–12:00 PM"


def test_a_busy_day_is_marked_like_every_pair_was_checked() -> None:
    sessions = (*busy_day(at(8), 120, numbered=True), Session("Alone", at(20), at(21), id=999))
    model = ScheduleModel(TZ)
    model.set_sessions(sessions)
    marked = [
        row for row in range(model.rowCount()) if "Overlaps" in str(text(model, row, Column.STATUS))
    ]
    assert marked == [
        i for i, s in enumerate(sessions) if overlapping(s, sessions[:i] + sessions[i + 1 :])
    ]
    assert marked == list(range(120))


def test_the_work_for_a_day_grows_with_its_sessions_not_their_square() -> None:
    # A store can hold thousands of sessions on one day (added by hand, or imported by an
    # older version): showing them must not freeze the window. Counted, not timed.
    def work(count: int) -> int:
        model = ScheduleModel(TZ)
        sessions = busy_day(at(8), count, numbered=True)

        def show_and_tick() -> None:
            model.set_sessions(sessions)
            model.set_current(count // 2, at(13))
            model.set_current(count // 2, at(13, 1))

        return calls_made(show_and_tick)

    small, large = work(500), work(1000)
    assert large / small < 2.5, f"{small:,} calls for 500 sessions, {large:,} for 1,000"


def test_the_past_moves_with_the_time() -> None:
    model = ScheduleModel(TZ)
    model.set_sessions(SESSIONS)
    model.set_current(None, at(10, 45))
    assert [text(model, row, Column.STATUS) for row in range(3)] == [
        "Done · Overlaps",
        "Done · Overlaps",
        "",
    ]
    ended_by_hand = SESSIONS[2].with_changes(actual_start=at(10, 50), actual_end=at(10, 55))
    model.set_sessions((*SESSIONS[:2], ended_by_hand))
    assert text(model, 2, Column.STATUS) == "Done"
    model.set_current(None, at(8))
    assert [text(model, row, Column.STATUS) for row in range(3)] == [
        "Overlaps",
        "Overlaps",
        "Done",
    ]
