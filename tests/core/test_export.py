"""Export: CSV a spreadsheet cannot be tricked by, and iCalendar other calendars read back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessionclock.core.export import (
    ExportFormat,
    escape_text,
    export_text,
    fold,
    safe_cell,
    to_csv,
    to_icalendar,
)
from sessionclock.core.models import Session, SessionSource

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def session(name: str, hour: int, day: int = 10) -> Session:
    start = datetime(2026, 11, day, hour, 0, tzinfo=TZ)
    return Session(name, start, start + timedelta(minutes=50))


def test_csv_lists_sessions_by_start_in_local_time() -> None:
    later = session("Liam Chen", 11)
    earlier = session("Maya Okafor", 9).with_changes(source=SessionSource.CALENDAR)
    rows = list(csv.reader(io.StringIO(to_csv([later, earlier], tz=TZ))))
    assert rows == [
        ["Client", "Start", "End", "Time zone", "Source"],
        ["Maya Okafor", "2026-11-10 09:00", "2026-11-10 09:50", "America/Toronto", "calendar"],
        ["Liam Chen", "2026-11-10 11:00", "2026-11-10 11:50", "America/Toronto", "typed"],
    ]


@pytest.mark.parametrize("name", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tX", "\rY"])
def test_csv_never_hands_a_spreadsheet_a_formula(name: str) -> None:
    rows = list(csv.reader(io.StringIO(to_csv([session(name, 9)], tz=TZ))))
    assert rows[1][0] == "'" + name
    assert safe_cell("Ann Lee") == "Ann Lee"


def test_csv_keeps_commas_quotes_and_line_breaks_in_one_cell() -> None:
    name = 'Lee, "Annie"\nsecond line'
    rows = list(csv.reader(io.StringIO(to_csv([session(name, 9)], tz=TZ))))
    assert rows[1][0] == name
    assert len(rows) == 2


def test_icalendar_has_only_name_start_and_end_in_utc() -> None:
    text = to_icalendar([session("Maya Okafor", 9)], now=NOW)
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    calendar = icalendar.Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Maya Okafor"
    assert event.decoded("DTSTART") == datetime(2026, 11, 10, 14, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 11, 10, 14, 50, tzinfo=UTC)
    assert "DTSTART:20261110T140000Z" in text
    assert set(event.keys()) == {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"}


def test_icalendar_escapes_text_and_drops_control_characters() -> None:
    assert escape_text("a,b;c\\d\ne\r\nf\x07g") == "a\\,b\\;c\\\\d\\ne\\nfg"
    name = "Lee, Ann; \\ back\nslash"
    [event] = icalendar.Calendar.from_ical(to_icalendar([session(name, 9)], now=NOW)).walk("VEVENT")
    assert str(event["SUMMARY"]) == name


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    name = "Zoë Ångström-Łukasiewicz " * 6 + "😀" * 10
    text = to_icalendar([session(name, 9)], now=NOW)
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
        line.encode("utf-8").decode("utf-8")  # no character was cut in two
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == name


@given(
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=300)
)
def test_folding_then_unfolding_gives_the_line_back(line: str) -> None:
    folded = fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))


def test_files_are_utf8_and_csv_carries_a_byte_order_mark_for_spreadsheets() -> None:
    sessions = [session("Zoë", 9)]
    csv_bytes = export_text(sessions, fmt=ExportFormat.CSV, tz=TZ, now=NOW)
    assert csv_bytes.startswith(b"\xef\xbb\xbfClient")
    assert "Zoë".encode() in csv_bytes
    ics = export_text(sessions, fmt=ExportFormat.ICALENDAR, tz=TZ, now=NOW)
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Zoë".encode() in ics
