"""Time a 14-day window import against ``icalendar.Calendar.from_ical`` on the same bytes.

Run from the repository root::

    .venv/bin/python benchmarks/feed_import.py

Two feeds: a generated Google-style feed of 10,000 events (about 5 MB, 2019-2027) and the largest
real feed of the corpus in ``../shared/ics`` (when that folder is beside the repository). For each,
both readers import the same 14-day window with the same skip rules; the script checks that the
sessions are identical and prints the times (CPU time, best of several runs) and the peak memory
(tracemalloc, in a separate run). Not part of pytest.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._feeds import BERLIN, best_cpu_seconds, generate_feed
from sessionclock.core.feed.importer import import_feed

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "ics"
Session = tuple[str, datetime, datetime]


def icalendar_sessions(
    data: bytes, *, tz: tzinfo, window: tuple[datetime, datetime]
) -> list[Session]:
    """Parse with icalendar and keep the window's sessions, with the importer's skip rules."""
    calendar = icalendar.Calendar.from_ical(data)
    floating_zone: tzinfo = tz
    wr = calendar.get("X-WR-TIMEZONE")
    if wr:
        floating_zone = ZoneInfo(str(wr))
    sessions: list[Session] = []
    for event in calendar.walk("VEVENT"):
        if any(key in event for key in ("RRULE", "RDATE", "RECURRENCE-ID")):
            continue
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(event.get("X-MICROSOFT-CDO-ALLDAYEVENT", "")).upper() == "TRUE":
            continue
        if "DTSTART" not in event:
            continue
        start = event.decoded("DTSTART")
        if not isinstance(start, datetime):
            continue
        if start.tzinfo is None:
            start = start.replace(tzinfo=floating_zone)
        if "DTEND" in event:
            end = event.decoded("DTEND")
            if not isinstance(end, datetime):
                continue
            if end.tzinfo is None:
                end = end.replace(tzinfo=start.tzinfo)
        elif "DURATION" in event:
            end = start + event.decoded("DURATION")
        else:
            continue
        start, end = start.astimezone(tz), end.astimezone(tz)
        if end <= start or not window[0] <= start < window[1]:
            continue
        sessions.append((str(event.get("SUMMARY", "")), start, end))
    return sorted(sessions)


def importer_sessions(
    data: bytes, *, tz: tzinfo, window: tuple[datetime, datetime]
) -> list[Session]:
    """Import the window with Session Clock's importer."""
    result = import_feed(data, tz=tz, window=window)
    return sorted((s.name, s.start, s.end) for s in result.sessions)


def _peak_memory(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def window_for(today: date, tz: tzinfo, days: int = 14) -> tuple[datetime, datetime]:
    """Return the app's window: yesterday 00:00 to *days* days after today, in *tz*."""
    start = datetime.combine(today - timedelta(days=1), datetime.min.time(), tzinfo=tz)
    end = datetime.combine(today + timedelta(days=days + 1), datetime.min.time(), tzinfo=tz)
    return start, end


def bench(label: str, data: bytes, *, tz: tzinfo, today: date) -> bool:
    """Print the figures for one feed; return True when both readers agree."""
    window = window_for(today, tz)
    ours = importer_sessions(data, tz=tz, window=window)
    theirs = icalendar_sessions(data, tz=tz, window=window)
    ours_time = best_cpu_seconds(lambda: importer_sessions(data, tz=tz, window=window), 7)
    theirs_time = best_cpu_seconds(lambda: icalendar_sessions(data, tz=tz, window=window), 2)
    ours_peak = _peak_memory(lambda: importer_sessions(data, tz=tz, window=window))
    theirs_peak = _peak_memory(lambda: icalendar_sessions(data, tz=tz, window=window))
    same = ours == theirs
    print(f"{label}: {len(data) / 1e6:.2f} MB, window {window[0]:%Y-%m-%d} to {window[1]:%Y-%m-%d}")
    print(f"  sessions in window: importer {len(ours)}, icalendar {len(theirs)}, identical: {same}")
    print(
        f"  importer (window):        {ours_time * 1000:9.1f} ms   peak {ours_peak / 1e6:7.1f} MB"
    )
    print(
        f"  icalendar.from_ical+walk: {theirs_time * 1000:9.1f} ms"
        f"   peak {theirs_peak / 1e6:7.1f} MB"
    )
    print(f"  speed-up: {theirs_time / ours_time:.0f}x")
    if not same:
        for row in sorted(set(ours) ^ set(theirs))[:10]:
            side = "importer only" if row in ours else "icalendar only"
            print(f"    {side}: {row[1].isoformat()} - {row[2].isoformat()}")
    return same


def main() -> int:
    """Run both benchmarks; exit 1 if the sessions differ or the goal (20x) is missed."""
    generated = generate_feed()
    events = generated.count(b"BEGIN:VEVENT")
    print(f"generated feed: {events} events")
    ok = bench("generated", generated, tz=BERLIN, today=date(2025, 6, 10))
    if not CORPUS.is_dir():
        print(f"largest corpus feed: not run ({CORPUS} is not beside the repository)")
        return 0 if ok else 1
    largest = max((p for p in CORPUS.rglob("*.ics")), key=lambda p: p.stat().st_size)
    print(f"largest corpus feed: {largest.relative_to(CORPUS)}")
    ok = (
        bench("corpus", largest.read_bytes(), tz=ZoneInfo("Europe/London"), today=date(2013, 3, 4))
        and ok
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
