"""The preview lists every change with a checkbox; only ticked changes are written."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sessionclock.core.feed.importer import ImportedSession, ImportResult, SkippedEvent, SkipReason
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.sync import import_window, plan_sync
from sessionclock.ui.sync.sync_preview_dialog import SyncPreviewDialog

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
