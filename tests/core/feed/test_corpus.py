"""The corpus layer: the importer against 79 real feeds from public projects (``../shared/ics``).

An extra layer over the project's own feeds (``test_importer.py``): it runs when the corpus is
beside the repository, skips with a reason when it is not, and is required when ``CI=true``.
Expected times were worked out by reading each file (zone rules from tzdb or from the file's own
VTIMEZONE), and are written in UTC so that they do not depend on the practitioner's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.feed.importer import ImportResult, SkipReason, import_feed
from tests.support.corpus import corpus_files, file_id, require
from tests.support.feeds import windows_changed_by_passing_over

pytestmark = pytest.mark.corpus("ics")

CORPUS_FILES = corpus_files("ics")
ZURICH = ZoneInfo("Europe/Zurich")
NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    """Return the UTC instant written as ``YYYY-MM-DD HH:MM[:SS]``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def corpus(name: str) -> bytes:
    """Return the bytes of the corpus file *name* (``folder/file.ics``)."""
    return (require("ics") / name).read_bytes()


def spans(result: ImportResult) -> list[tuple[str, datetime, datetime]]:
    """Return (name, start, end) of each session, with instants in UTC."""
    return [(s.name, s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in result.sessions]


def skips(result: ImportResult) -> list[tuple[str | None, datetime | None, SkipReason]]:
    """Return (name, start in UTC, reason) of each skipped event."""
    return [
        (s.name, s.start.astimezone(UTC) if s.start else None, s.reason) for s in result.skipped
    ]


def test_corpus_is_complete() -> None:
    assert len(list(require("ics").rglob("*.ics"))) == 79


@pytest.mark.parametrize("path", CORPUS_FILES, ids=file_id)
def test_every_corpus_file_imports_without_an_exception(path: Path | None) -> None:
    require("ics")
    assert path is not None
    result = import_feed(path.read_bytes(), tz=ZURICH)

    assert isinstance(result, ImportResult)
    for session in result.sessions:
        assert session.start.tzinfo is not None
        assert session.end > session.start
    assert list(result.sessions) == sorted(result.sessions, key=lambda s: (s.start, s.end, s.name))


EXPECTED_SESSIONS: dict[str, list[tuple[str, str, str]]] = {
    # Windows zone name, no VTIMEZONE (O365); 14:00 CEST.
    "allenporter-ical/office_365_extended_timezone.ics": [
        ("Uffe", "2024-04-26 12:00", "2024-04-26 13:00")
    ],
    # Windows zone with its VTIMEZONE, southern hemisphere: NZDT (+13) from 28 Sept 2025.
    "allenporter-ical/office_360_nz_tz.ics": [
        ("9am local Wednesday event", "2025-10-07 20:00", "2025-10-07 20:30"),
        ("10am local time Saturday event", "2025-10-10 21:00", "2025-10-10 21:30"),
    ],
    # Outlook display names: Sydney is on AEDT (+11) on 28 Oct 2020; New York is on EDT on
    # 28 Oct and on EST after 1 Nov 2020.
    "jens-maus-node-ical/Office-2012-owa.ics": [
        ("TEST Syd", "2020-10-28 02:30", "2020-10-28 04:00"),
        ("TEST", "2020-10-28 17:30", "2020-10-28 19:00"),
        ("TEST 3", "2020-11-02 18:30", "2020-11-02 20:00"),
    ],
    # Quoted display-name TZID matched against an escaped VTIMEZONE TZID; +07:00.
    "jens-maus-node-ical/exchange-custom-tz.ics": [
        ("Test event", "2019-04-30 02:00", "2019-04-30 05:00")
    ],
    # Windows name quoted nowhere, VTIMEZONE with 1601 rules: EDT on 28 Oct 2024.
    "collective-icalendar/issue_836_do_not_quote_tzid.ics": [
        ("Anonymous Test Event for TZID", "2024-10-28 21:00", "2024-10-28 22:00")
    ],
    # X-WR-TIMEZONE gives floating times their zone (Brussels, CEST).
    "niccokunzmann-x-wr-timezone/single-event-no-tz.in.ics": [
        ("X-WR-TIMEZONE no timezone", "2021-09-16 19:00", "2021-09-16 20:45")
    ],
    # Google: UTC times stay UTC whatever X-WR-TIMEZONE says.
    "niccokunzmann-python-recurring-ical-events/x_wr_timezone_simple_events_issue_59.ics": [
        (
            "Google Calendar says this is noon to 1PM on 12/22/2021",
            "2021-12-22 17:00",
            "2021-12-22 18:00",
        ),
        ("Google says this is 9PM to 10PM on 12/22/2021", "2021-12-23 02:00", "2021-12-23 03:00"),
    ],
    # TZID and Z together: the zone wins, as in Google (5 PM EST).
    "niccokunzmann-x-wr-timezone/single-event-x-wr-timezone-not-used.in.ics": [
        ("Google recognizes this as EST 5PM-6PM", "2021-12-22 22:00", "2021-12-22 23:00")
    ],
    # iCloud: UTF-8 names, Europe/Berlin in summer and winter.
    "jazzband-icalevents/icloud.ics": [
        ("Weinabend Franken – Castell", "2016-06-16 17:30", "2016-06-16 19:30"),
        ("Friseur", "2016-11-03 17:00", "2016-11-03 17:30"),
    ],
    # Vendor prefixes in front of tzdb names (libical, Lightning).
    "collective-icalendar/issue_313_globally_unique_tzid.ics": [
        ("libical / Evolution globally unique TZID", "2020-04-26 12:00", "2020-04-26 13:00"),
        (
            "vendor prefix in front of a multi-part Olson name",
            "2020-04-26 17:00",
            "2020-04-26 18:00",
        ),
        ("Mozilla Lightning globally unique TZID", "2020-04-26 18:00", "2020-04-26 19:00"),
    ],
    # TZID " 1" defined by the file's own VTIMEZONE (+01:00 in January).
    "jens-maus-node-ical/test_with_int_tzid.ics": [
        ("test export import", "2023-12-15 14:00", "2023-12-15 15:00"),
        ("Atelier groupes portail/Nuage", "2024-01-08 10:00", "2024-01-08 11:00"),
    ],
    # Non-ASCII display name, no SUMMARY: -03:00.
    "collective-icalendar/issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics": [
        ("", "2017-05-11 16:30", "2017-05-11 17:00")
    ],
    # Floating start with a zoned end (and TZID with Z): both in Europe/Berlin, CEST.
    "pimutils-khal/event_dt_mixed_awareness.ics": [
        ("Termin:Junghackertag", "2015-05-30 10:00", "2015-05-30 14:00"),
        ("An event with mixed tz-aware/tz-naive dates", "2015-06-02 10:00", "2015-06-02 14:00"),
    ],
    # DURATION instead of DTEND.
    "mozilla-comm-ical.js/duration_instead_of_dtend.ics": [
        ("Really long event name thing", "2012-06-30 13:00", "2012-07-01 13:00")
    ],
    # Apple: tentative and unmarked events are sessions, the cancelled one is not.
    "jens-maus-node-ical/tentative-apple-calendar.ics": [
        ("Tentative", "2022-07-04 23:00", "2022-07-04 23:50"),
        ("Confirmed", "2022-07-05 16:00", "2022-07-05 17:00"),
        ("No Status", "2022-07-07 16:00", "2022-07-07 17:00"),
    ],
    # A line "X" with no colon in the middle of the calendar (CRLF).
    "collective-icalendar/issue_104_broken_calendar.ics": [
        ("Broken Eevnt", "2014-04-01 00:00", "2014-04-01 01:00")
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_SESSIONS))
def test_representative_feeds_give_their_sessions_to_the_minute(name: str) -> None:
    result = import_feed(corpus(name), tz=ZURICH)

    expected = [(title, utc(start), utc(end)) for title, start, end in EXPECTED_SESSIONS[name]]
    assert spans(result) == expected


def test_times_come_back_in_the_practitioners_zone() -> None:
    result = import_feed(corpus("allenporter-ical/office_365_extended_timezone.ics"), tz=NEW_YORK)

    assert result.sessions[0].start.tzinfo == NEW_YORK
    assert result.sessions[0].start.replace(tzinfo=None) == datetime(2024, 4, 26, 8, 0)  # noqa: DTZ001


def test_exchange_feed_with_nul_padded_tzid_keeps_its_events() -> None:
    result = import_feed(corpus("franc6-ics_calendar/issue5.ics"), tz=ZURICH)

    got = spans(result)
    # "Europe/Stockholm" followed by 16 NUL bytes; 11:00 CET on 21 Nov 2019.
    assert ("Upptagen", utc("2019-11-21 10:00"), utc("2019-11-21 11:00")) in got
    # Windows name with a VTIMEZONE; 11:00 CEST on 15 Oct 2019.
    assert ("Upptagen", utc("2019-10-15 09:00"), utc("2019-10-15 10:00")) in got
    # UTF-8 Swedish summary.
    assert any(name == "Preliminärt" for name, _, _ in got)
    assert not any("not known" in warning for warning in result.warnings)


def test_google_history_feed() -> None:
    result = import_feed(
        corpus("niccokunzmann-python-recurring-ical-events/issue42.ics"), tz=ZURICH
    )

    assert ("test", utc("2018-09-04 04:30"), utc("2018-09-04 07:20")) in spans(result)
    reasons = {item.reason for item in result.skipped}
    assert reasons >= {SkipReason.REPEATING, SkipReason.ALL_DAY}
    assert len(result.sessions) + len(result.skipped) == 4778


def test_undefined_customized_zone_falls_back_to_the_practitioner_with_a_warning() -> None:
    result = import_feed(corpus("allenporter-ical/office_365_invalid_timezone.ics"), tz=NEW_YORK)

    # 14:00 read in New York (EDT) because "Customized Time Zone" is not defined in the file.
    assert spans(result) == [("Uffe", utc("2024-04-26 18:00"), utc("2024-04-26 19:00"))]
    assert any("Customized Time Zone" in warning for warning in result.warnings)


def test_floating_times_without_a_hint_use_the_practitioners_zone_with_a_warning() -> None:
    result = import_feed(corpus("jens-maus-node-ical/dst-transition-rules.ics"), tz=NEW_YORK)

    assert spans(result) == [("Morgendienst", utc("2022-10-09 14:00"), utc("2022-10-09 15:00"))]
    assert any("no time zone" in warning for warning in result.warnings)


def test_latin1_feed_is_read_as_windows_1252() -> None:
    result = import_feed(corpus("jazzband-icalevents/basic_latin1.ics"), tz=ZURICH)

    names = {item.name for item in result.skipped}
    assert "graue Restmülltonne" in names
    assert all(item.reason is SkipReason.ALL_DAY for item in result.skipped)
    assert any("Windows-1252" in warning for warning in result.warnings)


def test_bom_and_empty_calendar() -> None:
    result = import_feed(corpus("collective-icalendar/bom_calendar.ics"), tz=ZURICH)

    assert result == ImportResult(sessions=(), skipped=(), warnings=())


def test_fold_split_by_blank_lines_still_joins() -> None:
    result = import_feed(corpus("collective-icalendar/multiple_calendar_components.ics"), tz=ZURICH)

    assert [item.reason for item in result.skipped] == [SkipReason.ALL_DAY] * 3
    assert {item.name for item in result.skipped} >= {"Christmas Day", "Boxing Day"}


def test_skip_reasons_from_the_corpus() -> None:
    cases = {
        "allenporter-ical/recurring_with_single_change.ics": SkipReason.REPEATING,
        "pimutils-khal/event_dt_no_end.ics": SkipReason.NO_END,
        "allenporter-ical/calendar_labs_same_day_dtend.ics": SkipReason.ALL_DAY,
        "pimutils-khal/event_d_no_value.ics": SkipReason.ALL_DAY,
        "collective-icalendar/pr_480_summary_with_colon.ics": SkipReason.INVALID_TIME,
    }
    for name, reason in cases.items():
        result = import_feed(corpus(name), tz=ZURICH)
        assert result.sessions == ()
        assert {item.reason for item in result.skipped} == {reason}, name


def test_repeating_series_is_listed_by_name_and_first_date() -> None:
    result = import_feed(corpus("allenporter-ical/office_360_nz_tz.ics"), tz=ZURICH)

    # 15:00 NZDT on 8 Dec 2025; the escaped comma is unescaped.
    assert skips(result) == [
        ("Recurring event on Monday, Wednesday", utc("2025-12-08 02:00"), SkipReason.REPEATING)
    ]


def test_ambiguous_local_times_in_a_feed_zone_follow_rfc_5545() -> None:
    data = corpus("collective-icalendar/issue_722_timezone_transition_ambiguity.ics")

    result = import_feed(data, tz=ZURICH)

    # MyTimezone: +12:00 from 2024-01-01, +10:00 from 2024-05-05 08:00 local (clocks go back).
    assert [start for _, start, _ in skips(result)] == [
        utc("2024-03-02 20:00"),  # winter, +12
        utc("2024-05-04 19:00:01"),  # 07:00:01 happens twice: the first occurrence (+12)
        utc("2024-05-04 22:00:01"),  # 08:00:01 only exists after the change (+10)
        utc("2024-08-02 22:00"),  # summer, +10
    ]


def test_a_real_feed_defining_customized_time_zone_does_not_leak_into_the_next() -> None:
    us_rules = corpus("jens-maus-node-ical/bad_ms_tz.ics")
    undefined = corpus("allenporter-ical/office_365_invalid_timezone.ics")
    # bad_ms_tz: "Customized Time Zone" with US Eastern rules; 10:35 on 25 Aug 2020 is EDT.
    us_expected = [("[private]", utc("2020-08-25 14:35"), SkipReason.REPEATING)]
    # office_365_invalid_timezone does not define it: read in the practitioner's zone (UTC).
    undefined_expected = [("Uffe", utc("2024-04-26 14:00"), utc("2024-04-26 15:00"))]

    for _ in range(2):
        assert skips(import_feed(us_rules, tz=UTC)) == us_expected
        assert spans(import_feed(undefined, tz=UTC)) == undefined_expected
    assert spans(import_feed(undefined, tz=UTC)) == undefined_expected
    assert skips(import_feed(us_rules, tz=UTC)) == us_expected


def test_window_gives_the_same_sessions_as_a_full_import_on_a_real_feed() -> None:
    data = corpus("niccokunzmann-python-recurring-ical-events/issue42.ics")
    window = (utc("2013-03-01 00:00"), utc("2013-05-01 00:00"))

    full = import_feed(data, tz=ZURICH)
    windowed = import_feed(data, tz=ZURICH, window=window)

    inside = [s for s in full.sessions if window[0] <= s.start < window[1]]
    assert windowed.sessions == tuple(inside)
    assert len(inside) > 10


@pytest.mark.parametrize("path", CORPUS_FILES, ids=file_id)
def test_passing_over_events_outside_a_window_changes_nothing(path: Path | None) -> None:
    require("ics")
    assert path is not None

    assert windows_changed_by_passing_over(path.read_bytes()) == []
