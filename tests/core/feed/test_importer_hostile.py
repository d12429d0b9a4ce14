"""Feeds that could hurt: stray encodings, damaged names, cut-off and nested events, huge titles,
a whole clinic's calendar. Each test is a finding of the importer audit, on feeds written here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.errors import FeedCancelledError, FeedNotCalendarError, FeedTooBusyError
from sessionclock.core.feed.importer import (
    MAX_EVENTS_PER_DAY,
    ImportResult,
    SkipReason,
    import_feed,
)
from sessionclock.core.feed.names import MAX_NAME_LENGTH
from tests.support.feeds import feed

BERLIN = ZoneInfo("Europe/Berlin")


def _event(summary: str, start: str = "20250601T090000Z", *extra: str, end: bool = True) -> str:
    lines = ["BEGIN:VEVENT", f"SUMMARY:{summary}", f"DTSTART:{start}", "DURATION:PT1H", *extra]
    if end:
        lines.append("END:VEVENT")
    return "\r\n".join(lines) + "\r\n"


def _calendar(*events: str, close: bool = True) -> bytes:
    body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + "".join(events)
    return (body + ("END:VCALENDAR\r\n" if close else "")).encode()


def names(result: ImportResult) -> list[str]:
    """Return the names of the sessions."""
    return [s.name for s in result.sessions]


def reasons(result: ImportResult) -> list[tuple[str | None, SkipReason]]:
    """Return (name, reason) of each skipped event."""
    return [(s.name, s.reason) for s in result.skipped]


# Encodings --------------------------------------------------------------------------------------


def test_one_stray_byte_elsewhere_leaves_every_name_intact() -> None:
    # One Windows-1252 byte in a DESCRIPTION the importer never reads.
    data = _calendar(
        _event("Zoë Renée Müller", "20250601T090000Z", "DESCRIPTION:Caf\xe9 voucher"),
        _event("Jürgen Groß", "20250602T090000Z"),
    ).replace("Caf\xe9".encode(), b"Caf\xe9")

    result = import_feed(data, tz=UTC)

    assert names(result) == ["Zoë Renée Müller", "Jürgen Groß"]
    assert not any("Windows-1252" in warning for warning in result.warnings)


def test_a_name_that_is_not_utf8_is_read_as_windows_1252_on_its_own() -> None:
    data = _calendar(
        _event("Zoë Renée Müller", "20250601T090000Z"), _event("PLACEHOLDER", "20250602T090000Z")
    ).replace(b"PLACEHOLDER", "Lefèvre – €50".encode("cp1252"))

    result = import_feed(data, tz=UTC)

    assert names(result) == ["Zoë Renée Müller", "Lefèvre – €50"]
    assert "Some lines of the calendar are not UTF-8; they were read as Windows-1252." in (
        result.warnings
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_calendars_are_read(encoding: str) -> None:
    text = _calendar(_event("Zoë Renée Müller")).decode()

    result = import_feed(text.encode(encoding), tz=UTC)

    assert names(result) == ["Zoë Renée Müller"]


def test_a_file_that_is_not_a_calendar_is_called_a_file() -> None:
    with pytest.raises(FeedNotCalendarError, match="This file is not a calendar"):
        import_feed(b"Just some notes", tz=UTC, from_file=True)
    with pytest.raises(FeedNotCalendarError, match="This address did not return a calendar"):
        import_feed(b"Just some notes", tz=UTC)


# Names of properties and components -------------------------------------------------------------


def test_names_are_case_insensitive_in_a_feed_of_mixed_case() -> None:
    data = _calendar(
        _event("Upper Case"),
        "Begin:VEvent\r\nSummary:Mixed Case\r\nDtStart;Tzid=Europe/Berlin:20250602T090000\r\n"
        "dtEnd;tzid=Europe/Berlin:20250602T100000\r\nEnd:vEvent\r\n",
        "begin:vevent\r\nsummary:Weekly\r\ndtstart:20250603T090000Z\r\nduration:PT1H\r\n"
        "Rrule:FREQ=WEEKLY\r\nend:vevent\r\n",
        "BEGIN:VEVENT\r\nSUMMARY:Called off\r\nDTSTART:20250604T090000Z\r\nDURATION:PT1H\r\n"
        "status:Cancelled\r\nEND:VEVENT\r\n",
    )

    result = import_feed(data, tz=UTC)

    assert [(s.name, s.start) for s in result.sessions] == [
        ("Upper Case", datetime(2025, 6, 1, 9, tzinfo=UTC)),
        ("Mixed Case", datetime(2025, 6, 2, 7, tzinfo=UTC)),
    ]
    assert reasons(result) == [
        ("Weekly", SkipReason.REPEATING),
        ("Called off", SkipReason.CANCELLED),
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("RRU\x00LE:FREQ=DAILY", SkipReason.REPEATING),
        ("\x00RRULE:FREQ=DAILY", SkipReason.REPEATING),
        ("RDA TE:20250701T090000Z", SkipReason.REPEATING),
        ("RECURRENCE-\x00ID:20250701T090000Z", SkipReason.REPEATING),
        ("STA\x00TUS:CANCELLED", SkipReason.CANCELLED),
        ("STATUS:CANCEL\x00LED", SkipReason.CANCELLED),
        ("STATUS: cancelled ", SkipReason.CANCELLED),
        ("STATUS:CANCELED", SkipReason.CANCELLED),
    ],
)
def test_nul_bytes_and_spaces_in_rrule_or_status_never_let_an_event_through(
    line: str, reason: SkipReason
) -> None:
    result = import_feed(_calendar(_event("Robin", "20250601T090000Z", line)), tz=UTC)

    assert result.sessions == ()
    assert reasons(result) == [("Robin", reason)]


# Events that are not whole ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cut",
    [
        "SUMMARY:Robin\r\nDTSTART:20250601T090000Z\r\nDURATION:PT1H\r\nRRU",  # inside RRULE
        "SUMMARY:Robin\r\nDTSTART:20250601T090000Z\r\nDURATION:PT1H\r\nSTATUS:CANC",
        "SUMMARY:Robin\r\nDTSTART:20250601T090000Z\r\nDURATION:PT1H\r\n",  # before either
    ],
)
def test_an_event_cut_off_by_the_end_of_the_download_is_not_imported(cut: str) -> None:
    data = _calendar(_event("Whole", "20250531T090000Z"), "BEGIN:VEVENT\r\n" + cut, close=False)

    result = import_feed(data, tz=UTC)

    assert names(result) == ["Whole"]
    assert reasons(result) == [("Robin", SkipReason.INCOMPLETE)]
    assert result.truncated


def test_events_broken_by_the_structure_around_them_are_not_imported() -> None:
    data = _calendar(
        # Another event starts inside this one.
        _event("Nested outer", "20250601T090000Z", end=False),
        _event("Nested inner", "20250601T120000Z"),
        # An alarm inside the event is never closed: what follows it may be the event's own.
        _event("Open alarm", "20250602T090000Z", "BEGIN:VALARM", "TRIGGER:-PT15M"),
        # The calendar ends while the event is still open.
        _event("Calendar ends", "20250603T090000Z", end=False),
        "END:VCALENDAR\r\nBEGIN:VCALENDAR\r\n",
        _event("Whole", "20250604T090000Z"),
    )

    result = import_feed(data, tz=UTC)

    assert names(result) == ["Nested inner", "Whole"]
    assert reasons(result) == [
        ("Nested outer", SkipReason.INCOMPLETE),
        ("Open alarm", SkipReason.INCOMPLETE),
        ("Calendar ends", SkipReason.INCOMPLETE),
    ]
    assert result.truncated


def test_a_stray_line_without_a_name_leaves_the_event_whole() -> None:
    data = _calendar(
        _event("Robin", "20250601T090000Z", "…", "BEGIN:VALARM", "TRIGGER:-PT15M", "END:VALARM")
    )

    result = import_feed(data, tz=UTC)

    assert names(result) == ["Robin"]
    assert not result.truncated


def test_a_skipped_reason_always_has_words() -> None:
    assert {reason.description for reason in SkipReason} >= {
        "Cut off or broken in the calendar (not imported)",
        "Part of a repeating series (not imported)",
    }
    assert all(reason.description for reason in SkipReason)


# Size -----------------------------------------------------------------------------------------


def test_a_huge_name_is_cut_with_a_warning() -> None:
    data = _calendar(_event("Sam " + "x" * 10_000_000), _event("Short"))

    result = import_feed(data, tz=UTC)

    assert [len(name) for name in names(result)] == [MAX_NAME_LENGTH, 5]
    assert names(result)[0].startswith("Sam xxx") and names(result)[0].endswith("…")
    assert result.names_shortened == 1
    assert f"1 names were longer than {MAX_NAME_LENGTH} characters and were shortened." in (
        result.warnings
    )


def test_thousands_of_unclosed_or_nested_events_are_each_reported() -> None:
    count = 20_000
    first_day = datetime(2000, 1, 1, tzinfo=UTC)
    unclosed = _calendar(
        *(
            _event(f"U{i}", f"{first_day + timedelta(hours=i):%Y%m%dT%H%M%SZ}", end=False)
            for i in range(count)
        )
    )
    nested = _calendar(*("BEGIN:VEVENT\r\nBEGIN:VALARM\r\n" for _ in range(count)))

    first = import_feed(unclosed, tz=UTC)
    second = import_feed(nested, tz=UTC)

    assert first.sessions == () and len(first.skipped) == count
    assert {s.reason for s in first.skipped} == {SkipReason.INCOMPLETE}
    assert second.sessions == () and len(second.skipped) == count


def test_a_whole_clinics_calendar_is_refused_with_a_clear_message() -> None:
    day = datetime(2025, 6, 10, 8, tzinfo=BERLIN)
    busy_day = [
        _event(f"Client {i}", f"{(day + timedelta(minutes=i)).astimezone(UTC):%Y%m%dT%H%M%SZ}")
        for i in range(MAX_EVENTS_PER_DAY + 1)
    ]

    with pytest.raises(FeedTooBusyError) as caught:
        import_feed(_calendar(*busy_day), tz=BERLIN)

    message = str(caught.value)
    assert "101 events on 2025-06-10" in message
    assert "whole clinic's calendar" in message and "Client" not in message
    # The busiest day a practitioner could have passes.
    assert len(import_feed(_calendar(*busy_day[:-1]), tz=BERLIN).sessions) == MAX_EVENTS_PER_DAY


def test_the_limit_counts_days_in_the_window_only() -> None:
    events = [
        _event(f"Client {i}", f"20250610T{8 + i // 60:02d}{i % 60:02d}00Z") for i in range(150)
    ]
    events.append(_event("Next week", "20250617T090000Z"))
    window = (datetime(2025, 6, 16, tzinfo=UTC), datetime(2025, 6, 30, tzinfo=UTC))

    result = import_feed(_calendar(*events), tz=UTC, window=window)

    assert names(result) == ["Next week"]


def test_the_cut_off_feed_of_the_project_is_flagged() -> None:
    result = import_feed(feed("cut_off.ics"), tz=UTC)

    assert result.truncated
    assert reasons(result) == [("Cut off event", SkipReason.INCOMPLETE)]


@pytest.mark.parametrize("window", [False, True])
def test_cancel_stops_the_import_at_once(window: bool) -> None:
    events = [_event(f"Client {i}", f"2025{1 + i % 12:02d}10T090000Z") for i in range(1000)]
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > 10

    span = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 31, tzinfo=UTC))
    with pytest.raises(FeedCancelledError, match="cancelled"):
        import_feed(
            _calendar(*events), tz=UTC, window=span if window else None, cancelled=cancelled
        )

    assert asked == 11
