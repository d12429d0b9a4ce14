"""Render the user guide's screenshots from the real app on a demo day.

Every picture in ``docs/guide/images/`` comes from here: the app's own windows and dialogs,
built as the app builds them, on the demo profile with its clock stopped at a fixed time (so a
render is the same every time). The calendar preview comes from a small feed read by the real
importer. ``tests/scripts/test_render_guide.py`` renders them again and fails when they no longer
match the committed pictures (run this script and commit the result when a screen changes).

Usage: .venv/bin/python scripts/render_guide.py [OUTPUT_DIR]   (default: docs/guide/images)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication, QWidget

from scripts._render import BASE, TZ, demo_application
from sessionclock.app import Application
from sessionclock.core.countdown import Phase
from sessionclock.core.feed.importer import import_feed
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import DisplayPreferences, SyncPreferences, ThemeName
from sessionclock.core.sync import import_window, plan_sync
from sessionclock.ui.sync.sync_preview_dialog import SyncPreviewDialog

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "guide" / "images"

# An invented address in Jane's shape; the dialog shows it masked.
DEMO_FEED_ADDRESS = "https://clinic.janeapp.com/calendar/42/ical/3f9c2a7be1d04c55.ics"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(uid: str, name: str, start: datetime, end: datetime, *extra: str) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"SUMMARY:{name}"]
    lines += [f"DTSTART:{_stamp(start)}", f"DTEND:{_stamp(end)}", *extra, "END:VEVENT"]
    return "\r\n".join(lines)


def demo_feed(stored: tuple[Session, ...]) -> bytes:
    """Return a feed as a booking platform would send it after a few changes to *stored*.

    Of the sessions that came from the calendar, the first stays, the next moved half an hour
    later and the last was taken off the calendar; a booking was added for tomorrow, one was
    cancelled, and a weekly team meeting is there as a repeating event (never imported).
    """
    from_calendar = [s for s in stored if s.source is SessionSource.CALENDAR]
    kept, moved = from_calendar[0], from_calendar[1]
    late = timedelta(minutes=30)
    events = [
        _event("kept", kept.client_name, kept.start, kept.end),
        _event("moved", moved.client_name, moved.start + late, moved.end + late),
    ]
    tomorrow = stored[1].start + timedelta(days=1)
    events.append(_event("new", "Grace Miller", tomorrow, tomorrow + timedelta(hours=1)))
    cancelled = tomorrow + timedelta(hours=2)
    events.append(
        _event("gone", "Omar Haddad", cancelled, cancelled + timedelta(hours=1), "STATUS:CANCELLED")
    )
    meeting = stored[0].start - timedelta(hours=1)
    events.append(
        _event(
            "team", "Team meeting", meeting, meeting + timedelta(minutes=30), "RRULE:FREQ=WEEKLY"
        )
    )
    body = "\r\n".join(events)
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Session Clock//guide demo//EN"
    return f"{head}\r\n{body}\r\nEND:VCALENDAR\r\n".encode()


def _save(widget: QWidget, path: Path) -> Path:
    widget.show()
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    return path


def _main_window(application: Application, path: Path) -> Path:
    application.window.resize(1366, 768)
    return _save(application.window, path)


def room_clock(application: Application, path: Path, *, theme: ThemeName = ThemeName.NIGHT) -> Path:
    """Render room mode at a tablet's 1280x800 in *theme* to *path*."""
    room = application.room
    room.apply_display(DisplayPreferences(room_theme=theme))
    room.resize(1280, 800)
    application.controller.tick()
    saved = _save(room, path)
    room.close()
    return saved


def _settings(application: Application, path: Path) -> Path:
    dialog = application.open_settings()
    saved = _save(dialog, path)
    dialog.close()
    return saved


def _calendar(application: Application, path: Path) -> Path:
    assert application.profile is not None
    application.profile.repository.set_feed_url(DEMO_FEED_ADDRESS)
    dialog = application.open_calendar_settings()
    assert dialog is not None
    saved = _save(dialog, path)
    dialog.close()
    return saved


def _preview(application: Application, path: Path) -> Path:
    assert application.profile is not None
    window = import_window(BASE, tz=TZ, days_ahead=SyncPreferences().window_days)
    stored = application.profile.repository.sessions_between(*window)
    today = tuple(s for s in stored if s.start.date() == BASE.date())
    result = import_feed(demo_feed(today), tz=TZ, window=window)
    dialog = SyncPreviewDialog(plan_sync(result, stored, window=window), tz=TZ)
    saved = _save(dialog, path)
    dialog.close()
    return saved


SHOTS: dict[str, Callable[[Application, Path], Path]] = {
    "main-window.png": _main_window,
    "calendar-settings.png": _calendar,
    "sync-preview.png": _preview,
    "settings.png": _settings,
    "room-night.png": room_clock,
}
"""Each screenshot of the guide, by file name, and how it is made."""


def render(out: Path) -> list[Path]:
    """Render every screenshot of the guide into *out*; return the files."""
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    saved = []
    for name, shot in SHOTS.items():
        application = demo_application(Phase.HANDS_ON)
        try:
            saved.append(shot(application, out / name))
        finally:
            application.shutdown()
            application.window.close()
            application.window.deleteLater()
    return saved


def main() -> int:
    """Render into the folder given (default: the guide's images) and list the files."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else IMAGES
    for path in render(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
