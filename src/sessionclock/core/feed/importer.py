"""Import the sessions of an iCalendar feed: name, start and end, nothing else.

The public entry point is :func:`import_feed`. It is a pure function of the bytes, the
practitioner's zone and an optional window: no clock, no network, no global state keyed by anything
a feed defines.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sessionclock.core.errors import FeedNotCalendarError
from sessionclock.core.feed.parser import (
    ContentLine,
    DateTimeValue,
    RawEvent,
    calendar_property,
    decode_feed,
    iter_blocks,
    looks_like_calendar,
    parse_date_time,
    parse_duration,
    read_event,
)
from sessionclock.core.feed.timezones import (
    UTC_ZONE,
    TzinfoZone,
    VTimezone,
    Zone,
    ZoneResolver,
    clean_tzid,
    parse_vtimezone,
)

# The widest UTC offsets in use are -12:00 and +14:00: a DTSTART whose local date lies more than a
# day outside the window cannot start inside it.
_PEEK_MARGIN = timedelta(days=2)
_MAX_TZID_LABEL = 60


@dataclass(frozen=True, slots=True)
class ImportedSession:
    """One session read from the feed.

    Attributes:
        name: the SUMMARY (may be empty when the event has none).
        start: the start, aware, expressed in the practitioner's zone.
        end: the end, aware, after ``start``.
    """

    name: str = field(repr=False)
    start: datetime
    end: datetime


class SkipReason(enum.StrEnum):
    """Why an event of the feed was not imported."""

    REPEATING = "repeating"
    CANCELLED = "cancelled"
    ALL_DAY = "all-day"
    NO_END = "no-end"
    INVALID_TIME = "invalid-time"


@dataclass(frozen=True, slots=True)
class SkippedEvent:
    """An event that was not imported, shown to the practitioner with its reason.

    Attributes:
        name: the SUMMARY, if the event has one.
        start: the start (for all-day events, midnight of the first day), if it could be read.
        reason: why it was skipped.
    """

    name: str | None = field(repr=False)
    start: datetime | None
    reason: SkipReason


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one feed yielded.

    Attributes:
        sessions: the sessions, sorted by start.
        skipped: the events not imported, with reasons, sorted by start.
        warnings: messages about the feed as a whole (never a client name).
        truncated: the feed looks cut off (an unclosed calendar or event); a sync should not treat
            sessions missing from it as removed.
    """

    sessions: tuple[ImportedSession, ...]
    skipped: tuple[SkippedEvent, ...]
    warnings: tuple[str, ...]
    truncated: bool = False


class _Feed:
    """The state of one import: zones, fallbacks and the warnings collected on the way."""

    def __init__(self, text: str, *, tz: tzinfo, warnings: Counter[str]) -> None:
        self.warnings = warnings
        self.local = TzinfoZone(tz)
        definitions: dict[str, VTimezone] = {}
        for body, _complete in iter_blocks(text, "VTIMEZONE"):
            try:
                parsed = parse_vtimezone(body)
            except (ValueError, OverflowError, IndexError):
                parsed = None
            if parsed is None:
                warnings[
                    "A time zone definition in the feed could not be read; it was ignored."
                ] += 1
                continue
            definitions.setdefault(parsed[0], parsed[1])
        self.resolver = ZoneResolver(definitions)
        self.calendar_zone: Zone | None = None
        wr_timezone = calendar_property(text, "X-WR-TIMEZONE")
        if wr_timezone is not None and clean_tzid(wr_timezone):
            self.calendar_zone = self.resolver.resolve(wr_timezone)
            if self.calendar_zone is None:
                self._unknown_zone(wr_timezone)

    def _unknown_zone(self, tzid: str) -> None:
        label = clean_tzid(tzid)[:_MAX_TZID_LABEL] or "(empty)"
        self.warnings[
            f"The time zone “{label}” is not known; its events were read in your own time zone."
        ] += 1

    def partner_zone(self, line: ContentLine | None) -> Zone | None:
        """Return the zone named by *line* (the other end of an event), if it names a known one."""
        if line is None or "TZID" not in line.params:
            return None
        return self.resolver.resolve(line.params["TZID"])

    def zone_for(self, line: ContentLine, value: DateTimeValue, *, default: Zone | None) -> Zone:
        tzid = line.params.get("TZID")
        if tzid is not None:
            zone = self.resolver.resolve(tzid)
            if zone is not None:
                if value.utc:
                    self.warnings[
                        "Some times carry both a time zone and a UTC mark; the time zone was used."
                    ] += 1
                return zone
            if value.utc:
                return UTC_ZONE
            self._unknown_zone(tzid)
            return self.local
        if value.utc:
            return UTC_ZONE
        if default is not None:
            return default
        if self.calendar_zone is not None:
            return self.calendar_zone
        self.warnings["Some events have no time zone; they were read in your own time zone."] += 1
        return self.local


def _start_of_day(day: date, tz: tzinfo) -> datetime:
    return TzinfoZone(tz).localize(datetime.combine(day, time()))


def _read(event: RawEvent, feed: _Feed, tz: tzinfo) -> ImportedSession | SkippedEvent:
    name = event.summary
    start_value = parse_date_time(event.dtstart) if event.dtstart is not None else None
    start: datetime | None = None
    start_zone: Zone | None = None
    if event.dtstart is not None and start_value is not None:
        if isinstance(start_value.value, datetime):
            start_zone = feed.zone_for(
                event.dtstart, start_value, default=feed.partner_zone(event.dtend)
            )
            start = start_zone.localize(start_value.value).astimezone(tz)
        else:
            start = _start_of_day(start_value.value, tz)

    def skipped(reason: SkipReason) -> SkippedEvent:
        return SkippedEvent(name=name, start=start, reason=reason)

    if event.series:
        return skipped(SkipReason.REPEATING)
    if event.cancelled:
        return skipped(SkipReason.CANCELLED)
    if start_value is not None and not isinstance(start_value.value, datetime):
        return skipped(SkipReason.ALL_DAY)
    if event.all_day_flag:
        return skipped(SkipReason.ALL_DAY)
    if start is None or start_zone is None or start_value is None:
        return skipped(SkipReason.INVALID_TIME)
    assert isinstance(start_value.value, datetime)
    end: datetime | None = None
    if event.dtend is not None:
        end_value = parse_date_time(event.dtend)
        if end_value is None or not isinstance(end_value.value, datetime):
            return skipped(SkipReason.INVALID_TIME)
        # A floating end beside a zoned start takes the start's zone.
        end_zone = feed.zone_for(event.dtend, end_value, default=start_zone)
        end = end_zone.localize(end_value.value)
    elif event.duration is not None:
        duration = parse_duration(event.duration.value)
        if duration is None:
            return skipped(SkipReason.INVALID_TIME)
        wall_end = start_value.value + timedelta(days=duration.days)
        # Days follow the wall clock; hours, minutes and seconds are real time.
        end = start_zone.localize(wall_end).astimezone(UTC) + duration.exact
    else:
        return skipped(SkipReason.NO_END)
    end = end.astimezone(tz)
    if end <= start:
        return skipped(SkipReason.INVALID_TIME)
    return ImportedSession(name=name or "", start=start, end=end)


def import_feed(
    data: bytes, *, tz: tzinfo, window: tuple[datetime, datetime] | None = None
) -> ImportResult:
    """Read the sessions of an iCalendar feed.

    Args:
        data: the feed as fetched (any encoding, line ending or folding seen in the wild).
        tz: the practitioner's zone: times come back in it, and it is the zone of last resort for
            times whose zone the feed does not say or define (a warning says so).
        window: (start, end), aware; only events starting at or after start and before end are
            returned, in ``sessions`` and in ``skipped``. Events whose DTSTART date is clearly
            outside are passed over without being read. None imports everything.

    Returns:
        The sessions, the skipped events with reasons, and warnings about the feed.

    Raises:
        FeedNotCalendarError: the bytes are not a calendar at all (an HTML page, an empty body).
    """
    if window is not None and (window[0].tzinfo is None or window[1].tzinfo is None):
        raise ValueError("the import window must be timezone-aware")
    decoded = decode_feed(data)
    if not looks_like_calendar(decoded):
        raise FeedNotCalendarError(
            "This address did not return a calendar. Copy the calendar (iCal) address again from "
            "the booking platform."
        )
    text = decoded.text
    warnings: Counter[str] = Counter()
    if decoded.windows_1252:
        warnings["The calendar is not UTF-8; it was read as Windows-1252."] += 1
    feed = _Feed(text, tz=tz, warnings=warnings)
    truncated = "\nBEGIN:VCALENDAR" in text and "\nEND:VCALENDAR" not in text

    low, high = "00000000", "99999999"
    if window is not None:
        low = _shifted_digits(window[0], -_PEEK_MARGIN, low)
        high = _shifted_digits(window[1], _PEEK_MARGIN, high)

    sessions: list[ImportedSession] = []
    skipped: list[SkippedEvent] = []
    broken = 0
    for body, complete in iter_blocks(text, "VEVENT"):
        if not complete:
            truncated = True
        if window is not None:
            peeked = _peek_start_date(body)
            if peeked is not None and not low <= peeked <= high:
                continue
        try:
            item = _read(read_event(body), feed, tz)
        except (ValueError, OverflowError, ArithmeticError):
            broken += 1
            continue
        if window is not None and (
            (moment := item.start) is not None and not window[0] <= moment < window[1]
        ):
            continue
        if isinstance(item, ImportedSession):
            sessions.append(item)
        else:
            skipped.append(item)
    if broken:
        warnings["Some events could not be read at all and were left out."] += broken
    if truncated:
        warnings["The calendar looks cut off; it may be incomplete."] += 1
    sessions.sort(key=lambda s: (s.start, s.end, s.name))
    far_future = datetime.max.replace(tzinfo=UTC)
    skipped.sort(key=lambda s: (s.start or far_future, s.reason, s.name or ""))
    return ImportResult(
        sessions=tuple(sessions),
        skipped=tuple(skipped),
        warnings=tuple(_format_warnings(warnings)),
        truncated=truncated,
    )


def _format_warnings(counts: Counter[str]) -> list[str]:
    return list(counts)


def _shifted_digits(moment: datetime, shift: timedelta, beyond: str) -> str:
    """Return the UTC date of *moment* + *shift* as YYYYMMDD (*beyond* past the calendar's ends)."""
    try:
        day = (moment.astimezone(UTC) + shift).date()
    except OverflowError:
        return beyond
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _peek_start_date(body: str) -> str | None:
    """Return the 8 date digits of the DTSTART value of *body* without tokenising anything."""
    index = body.find("\nDTSTART")
    if index < 0:
        return None
    line_end = body.find("\n", index + 1)
    line = body[index + 1 : line_end if line_end >= 0 else len(body)]
    colon = line.rfind(":")
    digits = line[colon + 1 : colon + 9]
    if colon < 0 or len(digits) != 8 or not digits.isdigit():
        return None
    return digits
