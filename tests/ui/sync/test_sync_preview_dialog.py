"""The preview lists every change with a checkbox; only ticked changes are written."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from sessionclock.core.feed.importer import ImportedSession, ImportResult, SkippedEvent, SkipReason
from sessionclock.core.feed.names import Platform, free_busy_advice
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.sync import import_window, plan_sync
from sessionclock.ui.sync.sync_preview_dialog import CHECK_PX, ROW_PX, SyncPreviewDialog

TZ = ZoneInfo("Europe/Madrid")
CAL = SessionSource.CALENDAR


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


def make_dialog(qtbot: QtBot) -> SyncPreviewDialog:
    stored = (
        Session("Ana", at(9), at(10), source=CAL, id=1),
        Session("Blas", at(11), at(12), source=CAL, id=2),
        Session("Celia", at(13), at(14), source=CAL, id=3),
    )
    result = ImportResult(
        sessions=(
            ImportedSession("Ana", at(9), at(10)),
            ImportedSession("Blas", at(11, 30), at(12, 30)),
            ImportedSession("Dario", at(16), at(17)),
            ImportedSession("Elena", at(17), at(18)),
        ),
        skipped=(SkippedEvent("Weekly team", at(8), SkipReason.REPEATING),),
        warnings=("One event named a time zone that could not be found.",),
    )
    plan = plan_sync(result, stored, window=import_window(at(8), tz=TZ, days_ahead=14))
    dialog = SyncPreviewDialog(plan, tz=TZ)
    qtbot.addWidget(dialog)
    return dialog


def test_groups_and_reasons_are_listed(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    groups = {key: dialog.group(key) for key in ("new", "moved", "removed", "unchanged", "skipped")}
    assert all(groups.values())
    assert groups["new"].childCount() == 2  # type: ignore[union-attr]
    moved = groups["moved"].child(0)  # type: ignore[union-attr]
    assert moved is not None
    assert moved.text(2) == "Was Tue 10 Nov, 11:00–12:00"
    skipped = groups["skipped"].child(0)  # type: ignore[union-attr]
    assert skipped is not None
    assert skipped.text(2) == "Part of a repeating series (not imported)"
    assert dialog.apply_button.isEnabled()


def test_everything_ticked_by_default(qtbot: QtBot) -> None:
    changes = make_dialog(qtbot).changes()
    assert [s.client_name for s in changes.add] == ["Dario", "Elena"]
    assert [s.id for s in changes.update] == [2]
    assert changes.remove_ids == (3,)


def test_unticked_changes_are_not_written(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    new, removed = dialog.group("new"), dialog.group("removed")
    assert new is not None and removed is not None
    first_new, first_removed = new.child(0), removed.child(0)
    assert first_new is not None and first_removed is not None
    first_new.setCheckState(0, Qt.CheckState.Unchecked)
    first_removed.setCheckState(0, Qt.CheckState.Unchecked)
    changes = dialog.changes()
    assert [s.client_name for s in changes.add] == ["Elena"]
    assert changes.remove_ids == ()


def test_nothing_to_apply_when_nothing_changed(qtbot: QtBot) -> None:
    plan = plan_sync(
        ImportResult(sessions=(), skipped=(), warnings=()),
        (),
        window=import_window(at(8), tz=TZ, days_ahead=14),
    )
    dialog = SyncPreviewDialog(plan, tz=TZ)
    qtbot.addWidget(dialog)
    assert not dialog.apply_button.isEnabled()


def shown_texts(dialog: SyncPreviewDialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel) if label.isVisibleTo(dialog)]


def preview(qtbot: QtBot, result: ImportResult) -> SyncPreviewDialog:
    plan = plan_sync(result, (), window=import_window(at(8), tz=TZ, days_ahead=14))
    dialog = SyncPreviewDialog(plan, tz=TZ)
    qtbot.addWidget(dialog)
    return dialog


def test_a_free_busy_address_is_explained_first_and_apply_is_not_the_default(
    qtbot: QtBot,
) -> None:
    advice = free_busy_advice(Platform.GOOGLE)
    busy = tuple(ImportedSession("Busy", at(hour), at(hour + 1)) for hour in (9, 11))
    dialog = preview(qtbot, ImportResult(busy, (), warnings=(advice,), free_busy=advice))
    assert dialog.free_busy is not None and dialog.free_busy.isVisibleTo(dialog)
    texts = shown_texts(dialog)
    assert texts.index(advice) < next(i for i, t in enumerate(texts) if "2 new" in t)
    assert texts.count(advice) == 1  # not repeated among the warnings
    assert "Secret address in iCal format" in dialog.free_busy.accessibleDescription()
    assert dialog.apply_button.isEnabled() and not dialog.apply_button.isDefault()


def test_the_preview_says_what_was_removed_from_the_names(qtbot: QtBot) -> None:
    result = ImportResult(
        sessions=(ImportedSession("Jo Smith", at(9), at(10)),),
        skipped=(),
        warnings=(
            "Phone numbers, e-mail addresses or links were removed from 3 names: Session "
            "Clock never keeps contact details.",
            "Some lines of the calendar are not UTF-8; they were read as Windows-1252.",
        ),
        names_scrubbed=3,
    )
    dialog = preview(qtbot, result)
    assert dialog.names_note is not None
    assert dialog.names_note.text().startswith(
        "Phone numbers, e-mail addresses and links were removed from 3 names"
    )
    texts = shown_texts(dialog)
    assert sum("removed from 3 names" in text for text in texts) == 1
    assert "Some lines of the calendar are not UTF-8; they were read as Windows-1252." in texts
    assert dialog.free_busy is None
    assert dialog.apply_button.isDefault()


def test_an_ordinary_feed_has_no_note_and_no_free_busy_box(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    assert dialog.free_busy is None and dialog.names_note is None


def test_a_change_can_be_ticked_with_a_finger(qtbot: QtBot) -> None:
    dialog = make_dialog(qtbot)
    dialog.show()
    qtbot.waitExposed(dialog)
    new = dialog.group("new")
    assert new is not None
    first = new.child(0)
    assert first is not None
    row = dialog.tree.visualItemRect(first)
    assert row.height() >= ROW_PX
    # A tap on the check box (left of the name) unticks the change.
    option_x = row.left() + dialog.tree.indentation() // 2 + CHECK_PX // 2
    qtbot.mouseClick(
        dialog.tree.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(option_x, row.center().y())
    )
    assert first.checkState(0) == Qt.CheckState.Unchecked
