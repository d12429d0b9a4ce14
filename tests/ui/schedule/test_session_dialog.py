"""Adding and editing a session: invalid input is refused, overlaps must be confirmed."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTime
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from sessionclock.core.models import Session
from sessionclock.ui.schedule.session_dialog import SessionDialog

TZ = ZoneInfo("America/Vancouver")
DAY = date(2026, 11, 10)
BOOKED = (
    Session(
        "Ann", datetime(2026, 11, 10, 9, tzinfo=TZ), datetime(2026, 11, 10, 10, tzinfo=TZ), id=1
    ),
)


def dialog(qtbot: QtBot, session: Session | None = None) -> SessionDialog:
    widget = SessionDialog(tz=TZ, day=DAY, sessions_on=lambda day: BOOKED, session=session)
    qtbot.addWidget(widget)
    return widget


def save_enabled(widget: SessionDialog) -> bool:
    return widget.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()


def test_a_name_is_required(qtbot: QtBot) -> None:
    widget = dialog(qtbot)
    widget.start_edit.setTime(QTime(11, 0))
    widget.end_edit.setTime(QTime(12, 0))
    assert not save_enabled(widget)
    assert widget.error_label.text() == "Enter the client's name."
    qtbot.keyClicks(widget.name_edit, "Ben")
    assert save_enabled(widget)
    assert not widget.error_label.isVisibleTo(widget)


def test_end_must_be_after_start(qtbot: QtBot) -> None:
    widget = dialog(qtbot)
    widget.name_edit.setText("Ben")
    widget.start_edit.setTime(QTime(14, 0))
    widget.end_edit.setTime(QTime(13, 30))
    assert not save_enabled(widget)
    assert widget.candidate() is None
    assert widget.error_label.text() == "The end must be after the start."


def test_an_overlap_is_shown_and_must_be_confirmed(qtbot: QtBot) -> None:
    widget = dialog(qtbot)
    widget.name_edit.setText("Ben")
    widget.start_edit.setTime(QTime(9, 30))
    widget.end_edit.setTime(QTime(10, 30))
    assert widget.overlap_label.isVisibleTo(widget)
    assert "09:00–10:00" in widget.overlap_label.text()
    assert not save_enabled(widget)
    widget.overlap_check.setChecked(True)
    assert save_enabled(widget)
    widget.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert widget.result_session is not None
    assert widget.result_session.start == datetime(2026, 11, 10, 9, 30, tzinfo=TZ)


def test_touching_sessions_are_not_an_overlap(qtbot: QtBot) -> None:
    widget = dialog(qtbot)
    widget.name_edit.setText("Ben")
    widget.start_edit.setTime(QTime(10, 0))
    widget.end_edit.setTime(QTime(11, 0))
    assert not widget.overlap_label.isVisibleTo(widget)
    assert save_enabled(widget)


def test_editing_keeps_the_id_and_does_not_clash_with_itself(qtbot: QtBot) -> None:
    widget = dialog(qtbot, BOOKED[0])
    assert widget.name_edit.text() == "Ann"
    widget.end_edit.setTime(QTime(10, 15))
    assert save_enabled(widget)
    candidate = widget.candidate()
    assert candidate is not None and candidate.id == 1
    assert candidate.end == datetime(2026, 11, 10, 10, 15, tzinfo=TZ)
