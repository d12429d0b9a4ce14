"""Render the dialogs to PNG, for review by eye: calendar settings, sync preview, settings,
today's summary, About and the crash dialog.

Usage: .venv/bin/python scripts/render_dialogs.py [OUTPUT_DIR]   (default: screenshots/dialogs)
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication, QDialog

from scripts._render import demo_application
from sessionclock.core.countdown import Phase
from sessionclock.core.crash_report import crash_report
from sessionclock.core.feed.importer import ImportedSession, ImportResult, SkippedEvent, SkipReason
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import SyncPreferences
from sessionclock.core.sync import import_window, plan_sync
from sessionclock.ui.diagnostics import runtime
from sessionclock.ui.dialogs.crash_dialog import CrashDialog
from sessionclock.ui.prompts import MessageBoxPrompts
from sessionclock.ui.sync.calendar_dialog import CalendarDialog
from sessionclock.ui.sync.sync_preview_dialog import SyncPreviewDialog

TZ = ZoneInfo("America/Toronto")


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


class _Address:
    """A stand-in address store for the render."""

    def __init__(self, url: str | None) -> None:
        self.url = url

    def feed_url(self) -> str | None:
        return self.url

    def set_feed_url(self, url: str) -> None:
        self.url = url

    def disconnect_feed(self) -> None:
        self.url = None


def main() -> int:
    """Render the dialogs and print where the PNGs went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/dialogs")
    out.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication([])
    for name, url in (
        ("calendar-empty", None),
        ("calendar-connected", "https://clinic.janeapp.com/calendar/42/ical/abc.ics"),
    ):
        dialog = CalendarDialog(
            _Address(url), preferences=SyncPreferences(), prompts=MessageBoxPrompts()
        )
        dialog.show()
        QApplication.processEvents()
        dialog.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")
        dialog.close()
    cal = SessionSource.CALENDAR
    stored = (
        Session("Maya Okafor", at(9), at(10), source=cal, id=1),
        Session("Liam Chen", at(11), at(12), source=cal, id=2),
        Session("Sofia Rossi", at(13), at(14), source=cal, id=3),
    )
    result = ImportResult(
        sessions=(
            ImportedSession("Maya Okafor", at(9), at(10)),
            ImportedSession("Liam Chen", at(11, 30), at(12, 30)),
            ImportedSession("Noah Williams", at(15), at(16)),
            ImportedSession("Aiko Tanaka", at(10, day=11), at(11, day=11)),
        ),
        skipped=(
            SkippedEvent("Team meeting", at(8), SkipReason.REPEATING),
            SkippedEvent("Holiday", at(0, day=12), SkipReason.ALL_DAY),
            SkippedEvent("Elena Petrova", at(16, day=11), SkipReason.CANCELLED),
        ),
        warnings=("2 events named a time zone that could not be found; your own zone was used.",),
    )
    plan = plan_sync(result, stored, window=import_window(at(8), tz=TZ, days_ahead=14))
    preview = SyncPreviewDialog(plan, tz=TZ)
    preview.show()
    QApplication.processEvents()
    preview.grab().save(str(out / "preview.png"))
    print(out / "preview.png")
    application = demo_application(Phase.TURNOVER)
    try:
        raise KeyError("a client's name")  # what a crash looks like to the practitioner
    except KeyError as e:
        report = crash_report(e, runtime(), thread="MainThread")
    extra: tuple[tuple[str, QDialog], ...] = (
        ("settings", application.open_settings()),
        ("summary", application.open_summary()),
        ("about", application.open_about()),
        ("crash", CrashDialog(report, application.window)),
    )
    for name, shown in extra:
        shown.show()
        QApplication.processEvents()
        shown.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")
        shown.close()
    application.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
