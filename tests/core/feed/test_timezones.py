"""TZID clean-up, tzdb/Windows/display-name lookup and feed-defined zones."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sessionclock.core.feed.parser import Line, prepare, scan
from sessionclock.core.feed.timezones import (
    ZoneResolver,
    clean_tzid,
    iana_name,
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


CLINIC_LOCAL = """
TZID:Clinic Local
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0930
TZOFFSETTO:+0930
END:STANDARD
"""


def definitions(text: str) -> dict[str, list[Line]]:
    """Return the scanned lines of one VTIMEZONE block (given without its BEGIN/END) by TZID."""
    lines = list(scan(prepare(text.encode())))
    tzid = next(line for line in lines if line.name == b"TZID").value().decode()
    return {tzid: lines}


def test_resolver_prefers_tzdb_over_the_feeds_definition() -> None:
    resolver = ZoneResolver(definitions(CLINIC_LOCAL.replace("Clinic Local", "Europe/Berlin")))

    zone = resolver.resolve("Europe/Berlin")

    assert zone is not None
    assert zone.localize(wall("2025-07-01T09:00")).utcoffset() == timedelta(hours=2)


def test_resolvers_are_independent() -> None:
    first = ZoneResolver(definitions(CLINIC_LOCAL.replace("Clinic Local", "Customized Time Zone")))
    second = ZoneResolver({})

    zone = first.resolve('"Customized Time Zone"')
    assert zone is not None
    assert zone.localize(wall("2025-07-01T09:00")).utcoffset() == timedelta(hours=9, minutes=30)
    assert first.resolve("customized time zone") is zone
    assert second.resolve("Customized Time Zone") is None


def test_a_definition_that_cannot_be_read_is_noted() -> None:
    resolver = ZoneResolver(
        definitions("TZID:Broken\nBEGIN:STANDARD\nTZOFFSETTO:+5328\nEND:STANDARD\n")
    )

    assert resolver.resolve("Broken") is None
    assert resolver.unreadable == {"Broken"}
