"""The practitioner's schedule exported as CSV or iCalendar: theirs to take anywhere, always.

Only what Session Clock keeps goes out: each session's name, start and end (the CSV adds where
it came from, typed or synced).

iCalendar (RFC 5545): times in UTC (``DTSTART:20261110T170000Z``), text escaped (backslash,
semicolon, comma, line breaks) with other control characters dropped, lines folded at 75 octets
without splitting a character, CRLF line ends. Each event has the UID and DTSTAMP the standard
requires: the UID is random, so it says nothing about the client.

CSV: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (OWASP "CSV injection"), so such a cell is written with a leading apostrophe.
Times are local to the practitioner's zone, named in its own column.
"""

from __future__ import annotations

import csv
import enum
import io
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from sessionclock.core.models import Session

PRODID = "-//Session Clock//Schedule export//EN"
_FOLD_OCTETS = 75
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ExportFormat(enum.StrEnum):
    """The formats the schedule can be exported in, by file suffix."""

    CSV = "csv"
    ICALENDAR = "ics"


def _sorted(sessions: Iterable[Session]) -> list[Session]:
    return sorted(sessions, key=lambda s: (s.start.astimezone(UTC), s.end.astimezone(UTC)))


# -- CSV ---------------------------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """Return *value* as a spreadsheet will show it and never run it."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def zone_name(tz: tzinfo) -> str:
    """Return the zone's IANA name where it has one (``America/Toronto``), else its own name."""
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else str(tz)


def to_csv(sessions: Iterable[Session], *, tz: tzinfo) -> str:
    """Return the sessions as CSV text (a header row, then one row per session by start)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Client", "Start", "End", "Time zone", "Source"])
    zone = zone_name(tz)
    for session in _sorted(sessions):
        writer.writerow(
            [
                safe_cell(session.client_name),
                f"{session.start.astimezone(tz):%Y-%m-%d %H:%M}",
                f"{session.end.astimezone(tz):%Y-%m-%d %H:%M}",
                safe_cell(zone),
                "calendar" if session.source.value == "calendar" else "typed",
            ]
        )
    return out.getvalue()


# -- iCalendar ---------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """Escape *value* as an iCalendar TEXT value (RFC 5545 §3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = _FOLD_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = _FOLD_OCTETS - 1  # continuation lines begin with one space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return f"{value.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def to_icalendar(sessions: Iterable[Session], *, now: datetime) -> str:
    """Return the sessions as an iCalendar file: one event each with name, start and end."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    stamp = _utc(now)
    for session in _sorted(sessions):
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uuid.uuid4()}@export.sessionclock",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(session.start)}",
            f"DTEND:{_utc(session.end)}",
            f"SUMMARY:{escape_text(session.client_name)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def export_text(
    sessions: Iterable[Session], *, fmt: ExportFormat, tz: tzinfo, now: datetime
) -> bytes:
    """Return the file's bytes: UTF-8 (CSV with a byte-order mark, so spreadsheets read names
    with accents right)."""
    if fmt is ExportFormat.CSV:
        return to_csv(sessions, tz=tz).encode("utf-8-sig")
    return to_icalendar(sessions, now=now).encode("utf-8")
