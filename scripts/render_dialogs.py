"""Render the dialogs to PNG, for review by eye: calendar settings, sync preview, settings,
today's summary, About, the crash dialog, and the messages a failed sync shows.

The calendar dialog with an error, the previews and the failures are also drawn over the main
window at 1366x768 (a small laptop) and 1280x853 (a tablet at 150 %), as they appear there.

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

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from scripts._render import demo_application
from sessionclock.app import Application
from sessionclock.core.countdown import Phase
from sessionclock.core.crash_report import crash_report
from sessionclock.core.feed.importer import ImportedSession, ImportResult, SkippedEvent, SkipReason
from sessionclock.core.feed.names import Platform, free_busy_advice
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import SyncPreferences
from sessionclock.core.sync import SyncPlan, import_window, plan_sync
from sessionclock.ui.diagnostics import runtime
from sessionclock.ui.dialogs.crash_dialog import CrashDialog
from sessionclock.ui.prompts import MessageBoxPrompts
from sessionclock.ui.sync.calendar_dialog import CalendarDialog
from sessionclock.ui.sync.sync_preview_dialog import SyncPreviewDialog

TZ = ZoneInfo("America/Toronto")
SCREENS = ((1366, 768), (1280, 853))

# What a failed sync says (the app's own messages, as the fetcher, importer and key store word
# them; the address never appears).
FAILURES = {
    "too-busy": (
        "This calendar has more than 200 events on 2026-11-10, more than one practitioner's day: "
        "it may be a whole clinic's calendar. Copy the calendar address of your own schedule "
        "instead; nothing was imported."
    ),
    "certificate-file": (
        "The certificate file named by the SSL_CERT_FILE setting of this computer cannot be used "
        "(not a certificate file), so no secure connection can be made. Correct or remove "
        "SSL_CERT_FILE and start Session Clock again."
    ),
    "proxy": (
        "The proxy server set on this computer did not pass the request on. Check the proxy "
        "settings, or ask whoever manages the network."
    ),
    "key-store": (
        "The system's key store is locked. Session Clock keeps its key in the desktop's key "
        "store (GNOME Keyring or KDE Wallet): make sure one is installed and unlocked (signing "
        "in to the desktop usually unlocks it), then try again."
    ),
}


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


def settle() -> None:
    """Let Qt lay out and paint what changed (a status bar made by its first message lays
    itself out one round later)."""
    for _ in range(2):
        QApplication.processEvents()


def save(widget: QWidget, path: Path) -> None:
    """Show *widget*, draw it to *path* and print where it went."""
    widget.show()
    settle()
    widget.grab().save(str(path))
    print(path)


def save_over(
    application: Application, dialog: QWidget, screen: tuple[int, int], path: Path
) -> None:
    """Draw *dialog* centred over the main window filling *screen*, as it is seen there."""
    window = application.window
    window.resize(*screen)
    window.show()
    dialog.show()
    settle()
    picture = window.grab()
    shown = dialog.grab()
    corner = QPoint(
        max(0, (screen[0] - shown.width()) // 2), max(0, (screen[1] - shown.height()) // 2)
    )
    painter = QPainter(picture)
    painter.drawPixmap(corner, shown)
    painter.setPen(QColor("#555555"))  # the window frame the offscreen platform does not draw
    painter.drawRect(QRect(corner, shown.size()).adjusted(0, 0, -1, -1))
    painter.end()
    picture.save(str(path))
    print(path)


def calendar_dialogs(out: Path, application: Application) -> None:
    """The calendar dialog empty, connected, with an error, and with the address shown."""
    for name, url in (
        ("calendar-empty", None),
        ("calendar-connected", "https://clinic.janeapp.com/calendar/42/ical/abc.ics"),
    ):
        dialog = CalendarDialog(
            _Address(url), preferences=SyncPreferences(), prompts=MessageBoxPrompts()
        )
        save(dialog, out / f"{name}.png")
        dialog.close()
    for width, height in SCREENS:
        dialog = CalendarDialog(
            _Address(None),
            preferences=SyncPreferences(),
            prompts=MessageBoxPrompts(),
            parent=application.window,
        )
        dialog.address_edit.setText("http://clinic.janeapp.com/calendar/42/ical/abc.ics")
        dialog.connect_button.click()
        save_over(
            application, dialog, (width, height), out / f"calendar-error-{width}x{height}.png"
        )
        dialog.reveal_button.click()
        save_over(
            application, dialog, (width, height), out / f"calendar-shown-{width}x{height}.png"
        )
        dialog.close()


def _plan(result: ImportResult, stored: tuple[Session, ...] = ()) -> SyncPlan:
    return plan_sync(result, stored, window=import_window(at(8), tz=TZ, days_ahead=14))


def previews(out: Path, application: Application) -> None:
    """The preview of an ordinary feed with changed names, and of a free/busy address."""
    cal = SessionSource.CALENDAR
    stored = (
        Session("Maya Okafor", at(9), at(10), source=cal, id=1),
        Session("Liam Chen", at(11), at(12), source=cal, id=2),
        Session("Sofia Rossi", at(13), at(14), source=cal, id=3),
    )
    ordinary = ImportResult(
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
        names_scrubbed=3,
    )
    advice = free_busy_advice(Platform.GOOGLE)
    free_busy = ImportResult(
        sessions=tuple(ImportedSession("Busy", at(hour), at(hour + 1)) for hour in (9, 11, 14)),
        skipped=(),
        warnings=(advice,),
        free_busy=advice,
    )
    for name, plan in (
        ("preview", _plan(ordinary, stored)),
        ("preview-free-busy", _plan(free_busy)),
    ):
        dialog = SyncPreviewDialog(plan, tz=TZ)
        save(dialog, out / f"{name}.png")
        dialog.close()
        for width, height in SCREENS:
            dialog = SyncPreviewDialog(plan, tz=TZ, parent=application.window)
            save_over(application, dialog, (width, height), out / f"{name}-{width}x{height}.png")
            dialog.close()


def failures(out: Path, application: Application) -> None:
    """What a failed sync shows: the message box (a sync asked for), and the notice with the
    status line (a background check, on a desktop without a tray)."""
    for name, message in FAILURES.items():
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Calendar sync",
            message,
            QMessageBox.StandardButton.Ok,
            application.window,
        )
        save(box, out / f"failure-{name}.png")
        box.close()
    flow = application.sync_flow
    assert flow is not None
    for width, height in SCREENS:
        application.window.resize(width, height)
        application.window.show()
        settle()
        for name in ("too-busy", "key-store"):
            flow.failed.emit(FAILURES[name])
            flow.check_failed.emit(FAILURES[name])
            save(application.window, out / f"failure-{name}-notice-{width}x{height}.png")
        application.banner.hide()


def main() -> int:
    """Render the dialogs and print where the PNGs went."""
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots/dialogs")
    out.mkdir(parents=True, exist_ok=True)
    _app = QApplication.instance() or QApplication([])
    application = demo_application(Phase.TURNOVER)
    calendar_dialogs(out, application)
    previews(out, application)
    failures(out, application)
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
        save(shown, out / f"{name}.png")
        shown.close()
    application.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
