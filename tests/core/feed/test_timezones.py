"""TZID clean-up, tzdb/Windows/display-name lookup and feed-defined zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sessionclock.core.feed.timezones import (
    ZoneResolver,
    clean_tzid,
    iana_name,
    parse_offset,
    parse_vtimezone,
    windows_iana_name,
)


def wall(text: str) -> datetime:
    """Return the naive wall time written as ISO."""
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Europe/Stockholm" + "\x00" * 16, "Europe/Stockholm"),
        ('  "(UTC+07:00) Bangkok\\, Hanoi\\, Jakarta" ', "(UTC+07:00) Bangkok, Hanoi, Jakarta"),
        ("W. Europe  Standard\tTime", "W. Europe Standard Time"),
        (" 1", "1"),
    ],
)
def test_clean_tzid(raw: str, expected: str) -> None:
    assert clean_tzid(raw) == expected


@pytest.mark.parametrize(
    ("tzid", "expected"),
    [
        ("Europe/lisbon", "Europe/Lisbon"),
        ("/Europe/Stockholm", "Europe/Stockholm"),
        ("/freeassociation.sourceforge.net/Europe/Berlin", "Europe/Berlin"),
        ("/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires",
         "America/Argentina/Buenos_Aires"),
        ("/mozilla.org/20070129_1/America/New_York", "America/New_York"),
        ("US/Pacific", "US/Pacific"),
        ("Etc/UTC", "UTC"),
        ("Z", "UTC"),
        ("Europe/Berlin 1", "Europe/Berlin"),
        ("Customized Time Zone", None),
        ("tzone://Microsoft/Custom", None),
        ("1", None),
        ("Japan/Not a zone", None),
    ],
)  # fmt: skip
def test_iana_name(tzid: str, expected: str | None) -> None:
    assert iana_name(tzid) == expected


@pytest.mark.parametrize(
    ("tzid", "expected"),
    [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("eastern standard time", "America/New_York"),
        ("Eastern Standard Time 1", "America/New_York"),
        ("GMT Standard Time 1", "Europe/London"),
        ("New Zealand Standard Time", "Pacific/Auckland"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin"),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rom, Stockholm, Wien", "Europe/Berlin"),
        ("Amsterdam, Belgrade, Berlin, Brussels, Budapest, Madrid, Paris, Prague, Stockholm",
         "Europe/Berlin"),
        ("(UTC-05:00) Eastern Time (US and Canada)", "America/New_York"),
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(UTC-03:00) Brasília", "America/Sao_Paulo"),
        ("(GMT+10:00) Canberra, Melbourne, Sydney", "Australia/Sydney"),
        ("Customized Time Zone", None),
        ("(GMT +01:00)", None),
    ],
)  # fmt: skip
def test_windows_and_display_names(tzid: str, expected: str | None) -> None:
    assert windows_iana_name(tzid) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+0100", timedelta(hours=1)),
        ("-0330", -timedelta(hours=3, minutes=30)),
        ("-075258", -timedelta(hours=7, minutes=52, seconds=58)),
        ("+5328", None),  # iCloud's broken historical offset
        ("0100", None),
        ("", None),
    ],
)
def test_parse_offset(text: str, expected: timedelta | None) -> None:
    assert parse_offset(text) == expected


FIXED_RDATE_ZONE = """
TZID:Old Brazil
BEGIN:STANDARD
DTSTART:20180218T000000
TZOFFSETFROM:-0200
TZOFFSETTO:-0300
RDATE:20190217T000000
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20181104T000000
TZOFFSETFROM:-0300
TZOFFSETTO:-0200
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+5328
TZOFFSETTO:+5328
DTSTART:18900101T000000
END:STANDARD
"""


def test_fixed_transitions_from_dtstart_and_rdate() -> None:
    parsed = parse_vtimezone(FIXED_RDATE_ZONE)
    assert parsed is not None
    tzid, zone = parsed

    assert tzid == "Old Brazil"
    assert zone.localize(wall("2018-12-01T10:00")).astimezone(UTC) == datetime(
        2018, 12, 1, 12, tzinfo=UTC
    )
    assert zone.localize(wall("2019-03-01T10:00")).astimezone(UTC) == datetime(
        2019, 3, 1, 13, tzinfo=UTC
    )
    # After the last transition the zone stays on -03:00 (Brazil dropped DST in 2019).
    assert zone.localize(wall("2025-12-01T10:00")).utcoffset() == -timedelta(hours=3)


UNTIL_ZONE = """
TZID:US Eastern with history
BEGIN:DAYLIGHT
DTSTART:19870405T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z
END:DAYLIGHT
BEGIN:DAYLIGHT
DTSTART:20070311T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20071104T020000
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
"""


def test_rules_with_until_stop_and_current_rules_apply() -> None:
    parsed = parse_vtimezone(UNTIL_ZONE)
    assert parsed is not None
    zone = parsed[1]

    # 20 March 2025: after the second Sunday of March (9 March), so EDT.
    assert zone.localize(wall("2025-03-20T09:00")).utcoffset() == -timedelta(hours=4)
    # 5 March 2025: before it, EST (the old April rule no longer applies).
    assert zone.localize(wall("2025-03-05T09:00")).utcoffset() == -timedelta(hours=5)
    # Gap on 9 March 2025: 02:30 becomes 03:30 EDT.
    assert zone.localize(wall("2025-03-09T02:30")) == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)


def test_zone_without_usable_observance_is_none() -> None:
    assert parse_vtimezone("TZID:Broken\nBEGIN:STANDARD\nTZOFFSETTO:+5328\nEND:STANDARD\n") is None
    assert parse_vtimezone("BEGIN:STANDARD\nEND:STANDARD\n") is None


def test_resolver_prefers_tzdb_over_the_feeds_definition() -> None:
    parsed = parse_vtimezone(UNTIL_ZONE.replace("US Eastern with history", "Europe/Berlin"))
    assert parsed is not None
    resolver = ZoneResolver({parsed[0]: parsed[1]})

    zone = resolver.resolve("Europe/Berlin")

    assert zone is not None
    assert zone.localize(wall("2025-07-01T09:00")).utcoffset() == timedelta(hours=2)


def test_resolvers_are_independent() -> None:
    parsed = parse_vtimezone(UNTIL_ZONE.replace("US Eastern with history", "Customized Time Zone"))
    assert parsed is not None
    first = ZoneResolver({parsed[0]: parsed[1]})
    second = ZoneResolver({})

    assert first.resolve('"Customized Time Zone"') is parsed[1]
    assert second.resolve("Customized Time Zone") is None
