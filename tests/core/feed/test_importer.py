"""The feed importer against the project's own feeds (``feeds/``) and feeds built in the tests.

Each feed in ``feeds/`` reproduces quirks of real calendars (``feeds/README.md``). Expected times
were worked out from tzdb or from the feed's own VTIMEZONE and are written in UTC, so that they do
not depend on the practitioner's zone. The real-world corpora are an extra layer
(``test_corpus.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.errors import FeedError, FeedNotCalendarError
from sessionclock.core.feed.importer import (
    ImportedSession,
    ImportResult,
    SkippedEvent,
    SkipReason,
    import_feed,
)
from tests.support.feeds import FEEDS, feed

ZURICH = ZoneInfo("Europe/Zurich")
NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    """Return the UTC instant written as ``YYYY-MM-DD HH:MM[:SS]``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def spans(result: ImportResult) -> list[tuple[str, datetime, datetime]]:
    """Return (name, start, end) of each session, with instants in UTC."""
    return [(s.name, s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in result.sessions]


def skips(result: ImportResult) -> list[tuple[str | None, datetime | None, SkipReason]]:
    """Return (name, start in UTC, reason) of each skipped event."""
    return [
        (s.name, s.start.astimezone(UTC) if s.start else None, s.reason) for s in result.skipped
    ]


def _expect(*rows: tuple[str, str, str]) -> list[tuple[str, datetime, datetime]]:
    return [(name, utc(start), utc(end)) for name, start, end in rows]


@pytest.mark.parametrize("path", sorted(FEEDS.glob("*.ics")), ids=lambda p: p.name)
def test_every_feed_imports_with_aware_sorted_sessions(path: Path) -> None:
    result = import_feed(path.read_bytes(), tz=ZURICH)

    for session in result.sessions:
        assert session.start.tzinfo is not None
        assert session.end > session.start
    assert list(result.sessions) == sorted(result.sessions, key=lambda s: (s.start, s.end, s.name))


def test_outlook_and_exchange_windows_zone_names() -> None:
    result = import_feed(feed("outlook_exchange.ics"), tz=ZURICH)

    assert spans(result) == _expect(
        # New Zealand Standard Time: NZST (+12) after 6 April 2025, NZDT (+13) from 28 September.
        ("Tama Ngata", "2025-04-09 22:00", "2025-04-09 22:30"),
        # Outlook Classic: a Windows name with no VTIMEZONE at all (CEST).
        ("Lena Vogt", "2025-06-12 12:00", "2025-06-12 13:00"),
        # Exchange's numbered duplicate "GMT Standard Time 1" (BST).
        ("Oliver Brennan", "2025-07-01 09:00", "2025-07-01 10:00"),
        ("Aroha Wiremu", "2025-10-07 20:00", "2025-10-07 20:30"),
        # Eastern Standard Time: EDT until 2 November 2025, EST after.
        ("Harper Quinn", "2025-10-28 21:00", "2025-10-28 22:00"),
        ("Rowan Ellis", "2025-11-03 14:00", "2025-11-03 15:00"),
    )
    assert skips(result) == [
        # X-MICROSOFT-CDO-ALLDAYEVENT:TRUE on midnight date-times; midnight CEST.
        ("Clinic closed", utc("2025-06-14 22:00"), SkipReason.ALL_DAY),
        # The series (EXDATE list folded mid-value) and its moved occurrence (RECURRENCE-ID).
        ("Weekly team check-in", utc("2025-11-10 14:00"), SkipReason.REPEATING),
        ("Weekly team check-in (moved)", utc("2025-11-12 16:00"), SkipReason.REPEATING),
    ]
    assert result.warnings == ()


def test_outlook_display_name_zones() -> None:
    result = import_feed(feed("outlook_display_names.ics"), tz=ZURICH)

    assert spans(result) == _expect(
        # Quoted display name with commas, value folded right after the colon.
        ("Femke de Vries", "2025-01-15 09:00", "2025-01-15 10:00"),
        # Quoted parameter matched against the VTIMEZONE's escaped commas (+07:00).
        ("Somchai Rattana", "2025-04-30 02:00", "2025-04-30 05:00"),
        # A name only the feed defines (+01:00), quoted in the event, escaped in the VTIMEZONE.
        ("Nia Okafor", "2025-04-30 08:00", "2025-04-30 09:00"),
        # Non-ASCII display name, no SUMMARY (-03:00).
        ("", "2025-05-11 16:30", "2025-05-11 17:00"),
        # A German Outlook's display name (CEST).
        ("Jonas Weber", "2025-07-16 08:00", "2025-07-16 09:00"),
        # Unquoted display name holding a colon: Sydney is on AEDT (+11) on 28 October.
        ("Mia Thompson", "2025-10-28 02:30", "2025-10-28 04:00"),
        ("Ethan Brooks", "2025-10-28 17:30", "2025-10-28 19:00"),
    )


def test_tzids_damaged_by_exporters_are_understood() -> None:
    result = import_feed(feed("damaged_tzids.ics"), tz=ZURICH)

    assert spans(result) == _expect(
        ("Mareike Sommer", "2025-04-26 12:00", "2025-04-26 13:00"),  # libical prefix
        ("Carla Benson", "2025-04-26 18:00", "2025-04-26 19:00"),  # Mozilla prefix
        ("João Pereira", "2025-07-02 08:00", "2025-07-02 09:00"),  # Europe/lisbon
        ("Walt Harmon", "2025-07-02 13:00", "2025-07-02 14:00"),  # "Eastern Standard Time 1"
        ("Åsa Lindqvist", "2025-11-21 10:00", "2025-11-21 11:00"),  # 16 NUL bytes after the name
        ("Björn Ek", "2025-11-22 10:00", "2025-11-22 11:00"),  # leading slash
        ("Claire Martin", "2025-12-15 14:00", "2025-12-15 15:00"),  # TZID " 1", defined in the feed
    )
    assert result.warnings == ()


def test_times_come_back_in_the_practitioners_zone() -> None:
    result = import_feed(feed("outlook_exchange.ics"), tz=NEW_YORK)

    lena = next(s for s in result.sessions if s.name == "Lena Vogt")
    assert lena.start.tzinfo == NEW_YORK
    assert lena.start.replace(tzinfo=None) == datetime(2025, 6, 12, 8, 0)  # noqa: DTZ001


def test_a_feed_defined_zone_is_used_and_never_leaks_into_the_next_feed() -> None:
    us_rules = feed("customized_zone_us_rules.ics")
    eu_rules = feed("customized_zone_eu_rules.ics")
    undefined = feed("customized_zone_undefined.ics")
    expected = {
        # "Customized Time Zone" with US Eastern rules: EDT in August, EST in December.
        us_rules: _expect(
            ("Dana Whitfield", "2025-08-26 14:35", "2025-08-26 15:35"),
            ("Gabe Moreno", "2025-12-15 14:00", "2025-12-15 15:00"),
        ),
        # The same TZID with Central European rules.
        eu_rules: _expect(
            ("Dana Whitfield", "2025-08-26 08:35", "2025-08-26 09:35"),
            ("Gabe Moreno", "2025-12-15 08:00", "2025-12-15 09:00"),
        ),
        # Not defined: read in the practitioner's zone (UTC here).
        undefined: _expect(
            ("Dana Whitfield", "2025-08-26 10:35", "2025-08-26 11:35"),
            ("Gabe Moreno", "2025-12-15 09:00", "2025-12-15 10:00"),
        ),
    }

    for order in ((us_rules, eu_rules, undefined), (undefined, eu_rules, us_rules, undefined)):
        assert [spans(import_feed(data, tz=UTC)) for data in order] == [
            expected[data] for data in order
        ]
    assert skips(import_feed(us_rules, tz=UTC)) == [
        ("[private]", utc("2025-08-25 14:35"), SkipReason.REPEATING)
    ]


def test_undefined_zones_fall_back_to_the_practitioner_with_a_warning() -> None:
    result = import_feed(feed("customized_zone_undefined.ics"), tz=NEW_YORK)

    assert spans(result) == _expect(
        ("Dana Whitfield", "2025-08-26 14:35", "2025-08-26 15:35"),
        ("Gabe Moreno", "2025-12-15 14:00", "2025-12-15 15:00"),
    )
    assert any("“Customized Time Zone” is not known" in w for w in result.warnings)
    assert any("“tzone://Microsoft/Custom” is not known" in w for w in result.warnings)


def test_google_feed() -> None:
    result = import_feed(feed("google_calendar.ics"), tz=ZURICH)

    assert spans(result) == _expect(
        # UTC stays UTC whatever X-WR-TIMEZONE says.
        ("Luca Meier", "2025-09-16 17:00", "2025-09-16 18:00"),
        # Floating times take X-WR-TIMEZONE (Zurich, CEST).
        ("Sofia Brunner", "2025-09-17 07:00", "2025-09-17 08:45"),
        # DURATION instead of DTEND.
        ("Elena Frei", "2025-11-04 13:00", "2025-11-04 13:45"),
        # TZID and Z together: the zone wins, as in Google (5 PM EST).
        ("Tyler Grant", "2025-12-22 22:00", "2025-12-22 23:00"),
    )
    assert skips(result) == [
        # The series and its override (listed before the master, without DTEND).
        ("Noemi Keller", utc("2025-09-08 08:00"), SkipReason.REPEATING),
        ("Noemi Keller", utc("2025-09-22 09:00"), SkipReason.REPEATING),
        ("Christmas Day", utc("2025-12-24 23:00"), SkipReason.ALL_DAY),
    ]
    assert result.warnings == (
        "Some times carry both a time zone and a UTC mark; the time zone was used.",
    )


def test_floating_and_half_zoned_times() -> None:
    result = import_feed(feed("floating_and_mixed.ics"), tz=NEW_YORK)

    assert spans(result) == _expect(
        # A floating start takes the zone of its zoned end (Berlin, CEST).
        ("Ivy Chen", "2025-05-30 10:00", "2025-05-30 14:00"),
        # A floating end takes the zone of its zoned start (Melbourne, AEST).
        ("Oscar Lindgren", "2025-06-02 02:00", "2025-06-02 03:00"),
        # An end with TZID and Z: the zone wins.
        ("Priya Nair", "2025-06-03 10:00", "2025-06-03 14:00"),
        # No hint at all: the practitioner's zone (EDT).
        ("Morning shift client", "2025-10-09 14:00", "2025-10-09 15:00"),
    )
    assert set(result.warnings) == {
        "Some events have no time zone; they were read in your own time zone.",
        "Some times carry both a time zone and a UTC mark; the time zone was used.",
    }


def test_all_day_events_in_every_shape_are_skipped() -> None:
    result = import_feed(feed("all_day_shapes.ics"), tz=UTC)

    assert result.sessions == ()
    assert skips(result) == [
        ("Public holiday", utc("2025-04-09 00:00"), SkipReason.ALL_DAY),
        ("Bare date without VALUE", utc("2025-04-10 00:00"), SkipReason.ALL_DAY),
        ("Same-day end", utc("2025-04-11 00:00"), SkipReason.ALL_DAY),
        ("Conference", utc("2025-04-14 00:00"), SkipReason.ALL_DAY),
        ("Date only", utc("2025-04-18 00:00"), SkipReason.ALL_DAY),
        ("Outlook all day in UTC", utc("2025-04-20 00:00"), SkipReason.ALL_DAY),
    ]


def test_ends_lengths_and_times_that_cannot_be_read() -> None:
    result = import_feed(feed("ends_and_lengths.ics"), tz=UTC)

    assert spans(result) == _expect(
        ("Ninety minutes", "2025-03-03 09:00", "2025-03-03 10:30"),
        ("Retreat week", "2025-03-05 09:00", "2025-03-12 09:00"),
        # P1DT1H from 12:00 CET on 29 March: the day follows the wall clock (12:00 CEST on
        # 30 March), the hour is real time: 24 hours in all across the spring change.
        ("Over the spring change", "2025-03-29 11:00", "2025-03-30 11:00"),
    )
    assert skips(result) == [
        ("No end at all", utc("2025-03-06 09:00"), SkipReason.NO_END),
        ("Negative length", utc("2025-03-07 09:00"), SkipReason.INVALID_TIME),
        ("Ends before it starts", utc("2025-03-08 10:00"), SkipReason.INVALID_TIME),
        ("Zero length", utc("2025-03-09 10:00"), SkipReason.INVALID_TIME),
        ("Empty duration", utc("2025-03-10 10:00"), SkipReason.INVALID_TIME),
        ("Date end on a timed start", utc("2025-03-12 10:00"), SkipReason.INVALID_TIME),
        ("Unreadable start", None, SkipReason.INVALID_TIME),
    ]


def test_status_and_series() -> None:
    result = import_feed(feed("status_and_series.ics"), tz=UTC)

    # Tentative and unmarked bookings are sessions; a cancelled one is not.
    assert [name for name, _, _ in spans(result)] == [
        "Tentative booking",
        "Confirmed booking",
        "No status",
    ]
    assert skips(result) == [
        ("Cancelled booking", utc("2025-07-06 20:00"), SkipReason.CANCELLED),
        # RRULE (in lower case), RDATE only, an orphan RECURRENCE-ID, RANGE=THISANDFUTURE.
        ("Weekly stretch class", utc("2025-07-08 08:00"), SkipReason.REPEATING),
        ("Extra dates only", utc("2025-07-09 08:00"), SkipReason.REPEATING),
        ("Moved occurrence without its series", utc("2025-07-10 10:00"), SkipReason.REPEATING),
        ("This and future", utc("2025-07-11 09:00"), SkipReason.REPEATING),
    ]


def test_folds_line_endings_and_escapes() -> None:
    result = import_feed(feed("folding_and_escapes.ics"), tz=UTC)

    assert [name for name, _, _ in spans(result)] == [
        # CRLF, LF and CR mixed; a TAB fold splitting the two bytes of "é"; \\, \\; \\n.
        "Smith, Joé ; Massage 60",
        "Zoë Renée Müller",
        "Termin: 10:00 Massage",  # colons in the value
        "C:\\new folder\\notes second line",  # \\\\ and \\N decoded in one pass
        "Leading spaces",  # a quoted parameter with a caret escape, spaces before the name
        "Control characters here",  # Outlook's \\x13 between the words
        "Blank line inside a fold",
    ]
    # The DTSTART value folded in the middle of the time.
    assert spans(result)[0][1] == utc("2025-06-01 07:00")


def test_carriage_returns_only() -> None:
    result = import_feed(feed("line_endings_cr.ics"), tz=UTC)

    assert spans(result) == _expect(
        ("Old Mac line ends", "2025-08-01 09:00", "2025-08-01 10:00"),
        ("Folded with a space kept", "2025-08-02 09:00", "2025-08-02 10:00"),
    )


def test_windows_1252_feed() -> None:
    result = import_feed(feed("windows_1252.ics"), tz=UTC)

    assert [name for name, _, _ in spans(result)] == [
        "Jürgen Groß",
        "Renée Lefèvre – €50 voucher",
    ]
    assert any("Windows-1252" in warning for warning in result.warnings)


def test_bom_and_empty_calendar() -> None:
    result = import_feed(feed("utf8_bom_empty.ics"), tz=UTC)

    assert result == ImportResult(sessions=(), skipped=(), warnings=())


def test_sloppy_structure() -> None:
    result = import_feed(feed("sloppy_structure.ics"), tz=UTC)

    # Two VCALENDARs, blank lines, a line with no colon, spaces in property names, a VTIMEZONE
    # after the events that use it (and defined twice, with an iCloud-style broken offset), a
    # VALARM with its own SUMMARY and DTSTART, and text after the end.
    assert spans(result) == _expect(
        ("Hana Kobayashi", "2025-09-14 23:30", "2025-09-15 00:30"),
        ("Kenji Sato", "2025-09-15 23:30", "2025-09-16 00:30"),
    )
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("lowercase.ics", ("Lower case everywhere", "2025-09-18 09:00", "2025-09-18 10:00")),
        ("no_calendar_wrapper.ics", ("Bare event", "2025-09-19 09:00", "2025-09-19 10:00")),
    ],
)
def test_lower_case_and_unwrapped_events(name: str, expected: tuple[str, str, str]) -> None:
    assert spans(import_feed(feed(name), tz=UTC)) == _expect(expected)


def test_cancelled_and_all_day_flag() -> None:
    data = b"""BEGIN:VCALENDAR
BEGIN:VEVENT
SUMMARY:Cancelled client
STATUS:cancelled
DTSTART:20250310T090000Z
DTEND:20250310T100000Z
END:VEVENT
BEGIN:VEVENT
SUMMARY:Outlook all day
X-MICROSOFT-CDO-ALLDAYEVENT:TRUE
DTSTART:20250311T000000Z
DTEND:20250312T000000Z
END:VEVENT
BEGIN:VEVENT
SUMMARY:Backwards
DTSTART:20250312T100000Z
DTEND:20250312T090000Z
END:VEVENT
BEGIN:VEVENT
SUMMARY:Bad time
DTSTART:2025-03-13 10:00
DTEND:20250313T110000Z
END:VEVENT
BEGIN:VEVENT
SUMMARY:Negative duration
DTSTART:20250314T100000Z
DURATION:-PT1H
END:VEVENT
END:VCALENDAR
"""
    result = import_feed(data, tz=UTC)

    assert result.sessions == ()
    assert skips(result) == [
        ("Cancelled client", utc("2025-03-10 09:00"), SkipReason.CANCELLED),
        ("Outlook all day", utc("2025-03-11 00:00"), SkipReason.ALL_DAY),
        ("Backwards", utc("2025-03-12 10:00"), SkipReason.INVALID_TIME),
        ("Negative duration", utc("2025-03-14 10:00"), SkipReason.INVALID_TIME),
        ("Bad time", None, SkipReason.INVALID_TIME),
    ]


def _feed(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{header}{body}END:VCALENDAR\r\n".encode()


@pytest.mark.parametrize(
    ("zone", "local", "expected"),
    [
        # Spring forward: 02:30 does not exist; shifted forward by the gap to 03:30 CEST.
        ("Europe/Berlin", "20250330T023000", "2025-03-30 01:30"),
        # Fall back: 02:30 happens twice; the first (CEST) is meant.
        ("Europe/Berlin", "20251026T023000", "2025-10-26 00:30"),
        ("America/New_York", "20250309T023000", "2025-03-09 07:30"),
        ("America/New_York", "20251102T013000", "2025-11-02 05:30"),
        # Southern hemisphere: Sydney springs forward on 5 Oct 2025, falls back on 6 Apr 2025.
        ("Australia/Sydney", "20251005T023000", "2025-10-04 16:30"),
        ("Australia/Sydney", "20250406T023000", "2025-04-05 15:30"),
    ],
)
def test_gap_and_fold_in_tzdb_zones(zone: str, local: str, expected: str) -> None:
    data = _feed(f"SUMMARY:S\r\nDTSTART;TZID={zone}:{local}\r\nDURATION:PT1H")

    result = import_feed(data, tz=UTC)

    assert spans(result) == [("S", utc(expected), utc(expected) + timedelta(hours=1))]


CUSTOM_BERLIN = """BEGIN:VTIMEZONE\r
TZID:Customized Time Zone\r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""

CUSTOM_EASTERN = """BEGIN:VTIMEZONE\r
TZID:Customized Time Zone\r
BEGIN:STANDARD\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


@pytest.mark.parametrize(
    ("zone", "local", "expected"),
    [
        ("Customized Time Zone", "20250330T023000", "2025-03-30 01:30"),  # gap
        ("Customized Time Zone", "20251026T023000", "2025-10-26 00:30"),  # fold: first
        ("Customized Time Zone", "20250115T090000", "2025-01-15 08:00"),
        ("Customized Time Zone", "20250715T090000", "2025-07-15 07:00"),
    ],
)
def test_gap_and_fold_in_a_feed_defined_zone(zone: str, local: str, expected: str) -> None:
    data = _feed(f"SUMMARY:S\r\nDTSTART;TZID={zone}:{local}\r\nDURATION:PT1H", header=CUSTOM_BERLIN)

    result = import_feed(data, tz=UTC)

    assert spans(result) == [("S", utc(expected), utc(expected) + timedelta(hours=1))]


def test_same_tzid_defined_differently_in_two_feeds_in_either_order() -> None:
    event = "SUMMARY:S\r\nDTSTART;TZID=Customized Time Zone:20250715T090000\r\nDURATION:PT1H"
    berlin = _feed(event, header=CUSTOM_BERLIN)
    eastern = _feed(event, header=CUSTOM_EASTERN)
    undefined = _feed(event)
    berlin_start, eastern_start = utc("2025-07-15 07:00"), utc("2025-07-15 13:00")
    undefined_start = utc("2025-07-15 09:00")  # read in the practitioner's zone (UTC here)

    for order in ((berlin, eastern, undefined), (undefined, eastern, berlin)):
        starts = [import_feed(data, tz=UTC).sessions[0].start for data in order]
        expected = {berlin: berlin_start, eastern: eastern_start, undefined: undefined_start}
        assert starts == [expected[data] for data in order]


def test_window_keeps_only_events_starting_inside_it() -> None:
    events = [
        f"SUMMARY:Day {day}\r\nDTSTART:202503{day:02d}T100000Z\r\nDTEND:202503{day:02d}T110000Z"
        for day in range(1, 31)
    ]
    events.append("SUMMARY:Series\r\nRRULE:FREQ=DAILY\r\nDTSTART:20250310T120000Z\r\nDURATION:PT1H")
    window = (utc("2025-03-10 10:00"), utc("2025-03-12 10:00"))

    result = import_feed(_feed(*events), tz=UTC, window=window)

    assert [s.name for s in result.sessions] == ["Day 10", "Day 11"]
    assert skips(result) == [("Series", utc("2025-03-10 12:00"), SkipReason.REPEATING)]


def _history_feed(years: int = 6) -> bytes:
    """Return a feed of several years of weekday sessions, as a Google secret address gives."""
    events = []
    day = datetime(2020, 1, 1, tzinfo=ZURICH)
    for index in range(years * 365):
        moment = day + timedelta(days=index)
        if moment.weekday() >= 5:
            continue
        for hour in (9, 11, 14):
            local = moment.replace(hour=hour)
            events.append(
                f"SUMMARY:Client {index}-{hour}\r\n"
                f"DTSTART;TZID=Europe/Zurich:{local:%Y%m%dT%H%M%S}\r\nDURATION:PT50M"
            )
    return _feed(*events)


def test_window_gives_the_same_sessions_as_a_full_import() -> None:
    data = _history_feed()
    # Across the spring change of 2023, with a margin for events near the edges.
    window = (
        datetime(2023, 3, 20, tzinfo=ZURICH).astimezone(UTC),
        datetime(2023, 4, 3, 10, tzinfo=ZURICH).astimezone(UTC),
    )

    full = import_feed(data, tz=ZURICH)
    windowed = import_feed(data, tz=ZURICH, window=window)

    inside = [s for s in full.sessions if window[0] <= s.start < window[1]]
    assert windowed.sessions == tuple(inside)
    assert len(inside) == 3 * 10 + 1  # ten weekdays, then 09:00 on 3 April
    assert len(full.sessions) > 4000


def test_naive_window_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        import_feed(_feed(), tz=UTC, window=(datetime(2025, 1, 1), datetime(2025, 1, 2)))  # noqa: DTZ001


def test_an_html_page_is_not_a_calendar() -> None:
    page = b"<!DOCTYPE html><html><body><form>Sign in</form></body></html>"

    with pytest.raises(FeedNotCalendarError):
        import_feed(page, tz=UTC)
    with pytest.raises(FeedError):
        import_feed(b"", tz=UTC)


def test_a_download_cut_off_inside_an_event_is_flagged_and_the_event_is_not_imported() -> None:
    result = import_feed(feed("cut_off.ics"), tz=UTC)

    assert result.truncated
    assert spans(result) == _expect(("Whole event", "2025-01-01 09:00", "2025-01-01 10:00"))
    # The cut may have taken its RRULE or STATUS: it is listed, never imported.
    assert skips(result) == [("Cut off event", utc("2025-01-01 10:00"), SkipReason.INCOMPLETE)]
    assert "The calendar looks cut off; it may be incomplete." in result.warnings


def test_mixed_line_endings_tab_folding_and_escapes() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\nSUMMARY:Smith\\, Jo\r\n\t\xc3\xa9 \\; Massage\\n60\r"
        b'DTSTART;TZID="Europe/Berlin":20250601T0900\r\n 00\nDTEND;TZID=Europe/Berlin:'
        b"20250601T100000\r\nEND:VEVENT\r\nEND:VCALENDAR"
    )

    result = import_feed(data, tz=UTC)

    assert spans(result) == [
        ("Smith, Joé ; Massage 60", utc("2025-06-01 07:00"), utc("2025-06-01 08:00"))
    ]


def test_one_broken_event_does_not_take_down_the_rest() -> None:
    data = _feed(
        "SUMMARY:Broken\r\nDTSTART;TZID=Europe/Berlin:99999999T999999\r\nDTEND:x",
        "SUMMARY:Good\r\nDTSTART:20250601T090000Z\r\nDTEND:20250601T100000Z",
        "SUMMARY:Year zero\r\nDTSTART:00000101T000000\r\nDTEND:00000101T010000",
    )

    result = import_feed(data, tz=UTC)

    assert [s.name for s in result.sessions] == ["Good"]
    assert [s.reason for s in result.skipped] == [SkipReason.INVALID_TIME] * 2


def test_returned_values_are_frozen() -> None:
    result = import_feed(feed("outlook_exchange.ics"), tz=UTC)

    session = result.sessions[0]
    assert isinstance(session, ImportedSession)
    with pytest.raises(AttributeError):
        session.name = "other"  # type: ignore[misc]
    skipped = SkippedEvent(name=None, start=None, reason=SkipReason.NO_END)
    assert "Tama Ngata" not in repr(result)
    assert skipped.reason == "no-end"
