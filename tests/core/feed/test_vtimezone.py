"""A feed's own VTIMEZONE is exact for any date: checked against tzdb's published zones.

Every tzdb zone is written as a VTIMEZONE in the shapes real feeds use (``tests.support.tzif``):
its full history as one observance per transition, and, where the zone follows a yearly rule, that
rule as BYDAY with an ordinal, as BYDAY with a BYMONTHDAY list, stopped by an UNTIL in UTC and
started again, and in Exchange's shape from 1601. Wall times around every change of offset and
through each year must give the instants tzdb gives (RFC 5545 gap and overlap rules on both sides).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest

from sessionclock.core.feed.timezones import TzinfoZone
from sessionclock.core.feed.vtimezone import VTimezone, parse_offset, parse_vtimezone
from tests.support.tzif import (
    Tzif,
    read_tzif,
    rule_start,
    sample_times,
    tzdb_zone,
    vtimezone,
)

NAMES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


def wall(text: str) -> datetime:
    """Return the naive wall time written as ISO."""
    return datetime.fromisoformat(text)


@cache
def zones() -> list[Tzif]:
    """Return every tzdb zone, read from its compiled file (one of each set of aliases)."""
    seen: set[tuple[object, ...]] = set()
    unique = []
    for name in NAMES:
        zone = read_tzif(name)
        key = (
            zone.initial,
            zone.transitions,
            zone.last_written,
            zone.to_daylight,
            zone.to_standard,
        )
        if key not in seen:
            seen.add(key)
            unique.append(zone)
    return unique


def _zone(text: str) -> VTimezone:
    block = text.removeprefix("BEGIN:VTIMEZONE\r\n").removesuffix("END:VTIMEZONE\r\n")
    parsed = parse_vtimezone(block)
    assert parsed is not None
    return parsed[1]


def _mismatches(zone: Tzif, shape: str, years: Sequence[int]) -> list[str]:
    ours = _zone(vtimezone(zone, f"Feed copy of {zone.name}", shape=shape))
    theirs = TzinfoZone(tzdb_zone(zone.name))
    wrong = []
    for wall in sample_times(zone, years):
        expected = theirs.localize(wall).astimezone(UTC)
        got = ours.localize(wall)
        if got.astimezone(UTC) != expected or got.replace(tzinfo=None) != expected.astimezone(
            theirs.tz
        ).replace(tzinfo=None):
            wrong.append(f"{zone.name} {shape} {wall:%Y-%m-%d %H:%M}: {got} != {expected}")
    return wrong


def _history_years(zone: Tzif) -> range:
    """Return the years the written transitions cover: all of them without a yearly rule, else
    up to the last one (tzdb writes the rest as the rule)."""
    if zone.to_daylight is None:
        return range(1975, 2038)
    return range(1975, zone.transitions[-1][0].year if zone.transitions else 1975)


def test_every_tzdb_zone_as_its_full_history() -> None:
    wrong = [m for zone in zones() for m in _mismatches(zone, "history", _history_years(zone))]

    assert wrong == []


@pytest.mark.parametrize("shape", ["byday", "bymonthday", "until", "exchange"])
def test_every_tzdb_zone_with_a_yearly_rule(shape: str) -> None:
    ruled = [zone for zone in zones() if rule_start(zone) is not None]
    wrong = []
    for zone in ruled:
        start = rule_start(zone)
        assert start is not None
        # Exchange's shape is right only from the first year the rules give every change.
        first = start.year + 1 if shape == "exchange" else 1990
        years = {*range(max(first, 1990), 2041, 3), *range(start.year, start.year + 13)}
        # Far from any onset written in the feed: the rules hold for centuries.
        years |= {2200, 9997}
        wrong += _mismatches(zone, shape, sorted(y for y in years if y >= max(first, 1970)))

    assert len(ruled) > 80  # of some 350 distinct zones; the rest have no DST today
    assert wrong == []


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


def _offset(block: str, local: str) -> timedelta | None:
    parsed = parse_vtimezone(block)
    assert parsed is not None
    return parsed[1].localize(wall(local)).utcoffset()


SECOND_SUNDAY_AS_MONTHDAYS = """
TZID:Clinic Eastern
BEGIN:DAYLIGHT
DTSTART:20070311T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=SU;BYMONTHDAY=8,9,10,11,12,13,14
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20071104T020000
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=SU;BYMONTHDAY=1,2,3,4,5,6,7
END:STANDARD
"""


def test_every_day_of_a_bymonthday_list_counts() -> None:
    # "The Sunday among days 8 to 14": 10 March 2024 (only the first day of the list, the 8th,
    # is a Friday), so 10 June is summer time.
    assert _offset(SECOND_SUNDAY_AS_MONTHDAYS, "2024-06-10T10:00") == -timedelta(hours=4)
    assert _offset(SECOND_SUNDAY_AS_MONTHDAYS, "2024-03-09T10:00") == -timedelta(hours=5)
    assert _offset(SECOND_SUNDAY_AS_MONTHDAYS, "2024-03-10T03:30") == -timedelta(hours=4)


UNTIL_IN_UTC = """
TZID:Clinic East Coast
BEGIN:STANDARD
DTSTART:19700405T030000
TZOFFSETFROM:+1100
TZOFFSETTO:+1000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19701004T020000
TZOFFSETFROM:+1000
TZOFFSETTO:+1100
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU;UNTIL=20061000T160000Z
END:DAYLIGHT
"""


def test_an_until_in_utc_is_compared_in_utc() -> None:
    # 1 October 2006, 02:00 at +10:00 is 30 September, 16:00 UTC: the UNTIL itself, so that
    # onset still happens and December 2006 is summer time (+11).
    block = UNTIL_IN_UTC.replace("20061000T160000Z", "20060930T160000Z")
    assert _offset(block, "2006-12-15T10:00") == timedelta(hours=11)
    # The next one (7 October 2007) is after the UNTIL: no summer time from April 2007 on.
    assert _offset(block, "2007-12-15T10:00") == timedelta(hours=10)
    assert _offset(block, "2026-12-15T10:00") == timedelta(hours=10)


RULES_ENDED_YEARS_AGO = """
TZID:Clinic West
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0800
TZOFFSETTO:+0800
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20061203T020000
TZOFFSETFROM:+0800
TZOFFSETTO:+0900
RDATE:20071028T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;COUNT=3
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20070325T030000
TZOFFSETFROM:+0900
TZOFFSETTO:+0800
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=3
END:STANDARD
"""


def test_rules_that_ended_long_before_the_date_looked_up_still_count() -> None:
    assert _offset(RULES_ENDED_YEARS_AGO, "2009-01-15T10:00") == timedelta(hours=9)
    assert _offset(RULES_ENDED_YEARS_AGO, "2009-06-15T10:00") == timedelta(hours=8)
    # The last onset was 29 March 2009, fifteen years before.
    assert _offset(RULES_ENDED_YEARS_AGO, "2024-06-15T10:00") == timedelta(hours=8)
    assert _offset(RULES_ENDED_YEARS_AGO, "2024-12-15T10:00") == timedelta(hours=8)


def test_many_onsets_in_one_zone_are_exact() -> None:
    # 4,000 fixed transitions, a day apart, alternating between +01:00 and +02:00.
    first = wall("2020-01-01T00:00")
    summer, winter = ("DAYLIGHT", "+0100", "+0200"), ("STANDARD", "+0200", "+0100")
    observances = "".join(
        f"BEGIN:{kind}\nDTSTART:{first + timedelta(days=i):%Y%m%dT%H%M%S}\n"
        f"TZOFFSETFROM:{before}\nTZOFFSETTO:{after}\nEND:{kind}\n"
        for i, (kind, before, after) in ((i, summer if i % 2 else winter) for i in range(4000))
    )
    block = f"TZID:Busy zone\n{observances}"

    for day in (0, 1, 1234, 3999):
        local = first + timedelta(days=day, hours=12)
        expected = timedelta(hours=2 if day % 2 else 1)
        assert _offset(block, local.isoformat()) == expected


@pytest.mark.parametrize(
    ("rule", "offset_in_july"),
    [
        # A monthly rule: the last day of every month at noon becomes +02:00, the 15th +01:00.
        ("FREQ=MONTHLY;BYMONTHDAY=-1", timedelta(hours=2)),
        # Rules that cannot be used leave the zone on its first onsets.
        ("FREQ=HOURLY;BYMONTH=3", timedelta(hours=1)),
        ("FREQ=YEARLY;BYMONTH=13;BYDAY=-1SU", timedelta(hours=1)),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", timedelta(hours=1)),
        ("FREQ=YEARLY;BYDAY=9XX", timedelta(hours=1)),
    ],
)
def test_other_rule_forms(rule: str, offset_in_july: timedelta) -> None:
    block = f"""
TZID:Odd rules
BEGIN:STANDARD
DTSTART:20000115T120000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=MONTHLY;BYMONTHDAY=15
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:20000131T120000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:{rule}
END:DAYLIGHT
"""
    assert _offset(block, "2025-07-31T18:00") == offset_in_july
    assert _offset(block, "2025-07-20T18:00") == timedelta(hours=1)
