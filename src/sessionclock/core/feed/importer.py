"""Import the sessions of an iCalendar feed: name, start and end, nothing else.

The public entry point is :func:`import_feed`. It is a pure function of the bytes, the
practitioner's zone and an optional window: no clock, no network, no global state keyed by anything
a feed defines. One pass over the feed collects the events (only their whitelisted lines) and the
feed's own time zone definitions; the events are then read in the zones they name. With a window,
runs of plain events outside it are recognised whole and passed over, with the same result as
reading them. Time and memory grow linearly with the size of the feed, whatever its shape.

It fails closed: an event that is not whole (cut off by the end of the download, or broken by
another component starting inside it) may have lost its RRULE or STATUS, so it is never imported;
a damaged RRULE or STATUS name still counts. Names lose any contact details (phone numbers, e-mail
addresses, links) and are capped in length, and the result says so.
"""

from __future__ import annotations

import enum
import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sessionclock.core.errors import FeedCancelledError, FeedNotCalendarError, FeedTooBusyError
from sessionclock.core.feed.names import (
    MAX_NAME_LENGTH,
    free_busy_advice,
    is_busy_word,
    platform_of,
    scrub_contact_details,
    shorten,
)
from sessionclock.core.feed.parser import (
    ContentLine,
    DateTimeValue,
    EventLines,
    Line,
    Prepared,
    decode,
    decode_checked,
    feed_bytes,
    is_cancelled,
    is_true,
    line_end,
    line_ends_only,
    line_value,
    parse_date_time,
    parse_duration,
    parse_line,
    plain_event_pattern,
    scan,
    unescape_text,
    unfold,
)
from sessionclock.core.feed.timezones import (
    UTC_ZONE,
    TzinfoZone,
    Zone,
    ZoneResolver,
    clean_tzid,
)

MAX_EVENTS_PER_DAY = 100
"""More events than this starting on one day is not one practitioner's calendar."""
MAX_ZONE_DEFINITIONS = 200
"""Real feeds define a handful of zones; the rest of a feed with more is read without them."""

# The widest UTC offsets in use are -12:00 and +14:00: a DTSTART whose local date lies more than a
# day outside the window cannot start inside it.
_PEEK_MARGIN = timedelta(days=2)
_MAX_TZID_LABEL = 60
_MAX_DEPTH = 100
_MAX_ZONE_LINES = 50_000
_MAX_DATE_LINE = 1_000
_MAX_HEADS = 1_000
_NAME_BYTES = 4 * MAX_NAME_LENGTH + 64  # enough UTF-8 (and escapes) for a whole capped name
_SERIES = frozenset({b"RRULE", b"RDATE", b"EXRULE", b"RECURRENCE-ID"})
_VEVENT, _VTIMEZONE, _VCALENDAR = b"VEVENT", b"VTIMEZONE", b"VCALENDAR"

_MSG_NOT_CALENDAR = (
    "This address did not return a calendar. Copy the calendar (iCal) address again from the "
    "booking platform."
)
_MSG_FILE_NOT_CALENDAR = (
    "This file is not a calendar (iCalendar, .ics). Check that it is the file saved from the "
    "booking platform."
)
_MSG_TOO_BUSY = (
    "This calendar has {count} events on {day}, more than one practitioner's day: it may be a "
    "whole clinic's calendar. Copy the calendar address of your own schedule instead; nothing was "
    "imported."
)
_WARN_CP1252 = "Some lines of the calendar are not UTF-8; they were read as Windows-1252."
_WARN_SCRUBBED = (
    "Phone numbers, e-mail addresses or links were removed from {count} names: Session Clock "
    "never keeps contact details."
)
_WARN_SHORTENED = "{count} names were longer than {limit} characters and were shortened."
_WARN_BROKEN = "Some events could not be read at all and were left out."
_WARN_CUT = "The calendar looks cut off; it may be incomplete."
_WARN_ZONES = "The calendar defines too many time zones; only the first {limit} were read."


@dataclass(frozen=True, slots=True)
class ImportedSession:
    """One session read from the feed.

    Attributes:
        name: the SUMMARY without contact details (may be empty when the event has none).
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
    INCOMPLETE = "incomplete"

    @property
    def description(self) -> str:
        """Return the reason in words, for the preview and the feed check."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    SkipReason.REPEATING: "Part of a repeating series (not imported)",
    SkipReason.CANCELLED: "Cancelled",
    SkipReason.ALL_DAY: "All-day event",
    SkipReason.NO_END: "No end time",
    SkipReason.INVALID_TIME: "Time could not be read",
    SkipReason.INCOMPLETE: "Cut off or broken in the calendar (not imported)",
}


@dataclass(frozen=True, slots=True)
class SkippedEvent:
    """An event that was not imported, shown to the practitioner with its reason.

    Attributes:
        name: the SUMMARY without contact details, if the event has one.
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
        warnings: messages about the feed as a whole (never a client name); they include the
            messages of the fields below.
        truncated: the feed looks cut off (an unclosed calendar or event); a sync should not treat
            sessions missing from it as removed.
        names_scrubbed: how many names had phone numbers, e-mail addresses or links removed.
        names_shortened: how many names were cut to ``MAX_NAME_LENGTH`` characters.
        free_busy: when every event is called "Busy" or "Free" (a free/busy address), what to do
            instead, for the booking platform the feed comes from; None otherwise.
    """

    sessions: tuple[ImportedSession, ...]
    skipped: tuple[SkippedEvent, ...]
    warnings: tuple[str, ...]
    truncated: bool = False
    names_scrubbed: int = 0
    names_shortened: int = 0
    free_busy: str | None = None


@dataclass(slots=True)
class _Scanned:
    """What one pass over a feed found.

    ``named`` says some event has a name, ``real_name`` that some event's name is not what
    free/busy publishing writes (then no other name needs to be looked at).
    """

    events: list[EventLines] = field(default_factory=list)
    zones: dict[str, list[Line]] = field(default_factory=dict)
    calendar_zone: Line | None = None
    prodid: Line | None = None
    calendar_seen: bool = False
    truncated: bool = False
    too_many_zones: bool = False
    named: bool = False
    real_name: bool = False


class _Scanner:
    """One pass over the scanned lines: a stack of open components and the event being read."""

    def __init__(
        self, window_digits: tuple[str, str] | None, cancelled: Callable[[], bool] = lambda: False
    ) -> None:
        self.found = _Scanned()
        self._cancelled = cancelled
        self._window = window_digits
        self._stack: list[bytes] = []
        self._event: EventLines | None = None
        self._event_depth = -1
        self._zone: list[Line] | None = None
        self._zone_depth = -1
        self._per_date: Counter[str] = Counter()

    def run(self, data: bytes) -> _Scanned:
        """Read *data* (from :func:`feed_bytes`): every line it needs, in order.

        With a window, runs of plain events outside it are passed over on the bytes as they are,
        and only the stretches between them are unfolded and tokenised. (Feeds write names in
        upper case: an event with a name in lower case is one of the events read.)
        """
        start = 0
        window = self._window
        eol = line_end(data) if window is not None else b""
        if window is not None and eol:
            crlf = eol == b"\r\n"
            outside = _outside_patterns(window[0], window[1], crlf=crlf)
            begin = eol + b"BEGIN:VEVENT" + eol
            search = 0
            while (found := data.find(begin, search)) >= 0:
                line_start = search = found + len(eol)
                match = self._plain_outside(data, line_start - 1, outside, crlf=crlf)
                if match is None:
                    continue
                # Read up to the events first: passing over must leave what reading them would.
                self._read(unfold(data[start:line_start]))
                start = line_start
                # The line end after a match starts at its last byte (the CR of a CRLF) or just
                # after it (an LF). Events matched but not passed over are read, not matched again.
                search = match.end() + 1 - len(eol)
                if self._pass_over(data, match):
                    start = match.end()
        self._read(unfold(data[start:]))
        if self._event is not None:
            self._finish(complete=False)
        if _VCALENDAR in self._stack:
            self.found.truncated = True
        return self.found

    def _read(self, prepared: Prepared) -> None:
        for line in scan(prepared):
            name = line.name
            if name == b"BEGIN":
                self._begin(line)
            elif name == b"END":
                self._end(line)
            elif self._event is not None:
                self._event_property(line)
            elif self._zone is not None:
                self._zone_line(line)
            elif not self._stack or self._stack[-1] == _VCALENDAR:
                if name == b"X-WR-TIMEZONE" and self.found.calendar_zone is None:
                    self.found.calendar_zone = line
                elif name == b"PRODID" and self.found.prodid is None:
                    self.found.prodid = line

    def _begin(self, line: Line) -> None:
        kind = line.component
        if kind == _VEVENT:
            self.found.calendar_seen = True
            if self._event is not None:
                # Another event starts inside this one: this one was cut short.
                del self._stack[self._event_depth :]
                self._finish(complete=False)
            self._event = EventLines()
            self._event_depth = len(self._stack)
            self._stack.append(kind)
            return
        if kind == _VCALENDAR:
            self.found.calendar_seen = True
        if len(self._stack) >= _MAX_DEPTH:
            return
        # A component inside an event (an alarm) is the event's, even inside a zone.
        if self._zone is not None and self._event is None:
            self._zone_line(line)
        elif kind == _VTIMEZONE and self._event is None:
            self._zone = []
            self._zone_depth = len(self._stack)
        self._stack.append(kind)

    def _end(self, line: Line) -> None:
        kind = line.component
        stack = self._stack
        if kind not in stack:
            return
        index = len(stack) - 1 - stack[::-1].index(kind)
        event = self._event
        if event is not None and index <= self._event_depth:
            whole = index == self._event_depth == len(stack) - 1 and not event.damaged
            del stack[index:]
            self._finish(complete=whole)
            return
        if event is not None:
            # A component inside the event closes; anything left open inside it is broken.
            event.damaged = event.damaged or index != len(stack) - 1
        elif self._zone is not None:
            if index == self._zone_depth:
                self._store_zone(self._zone)
            elif index > self._zone_depth:
                self._zone_line(line)
            if index <= self._zone_depth:
                self._zone = None
        del stack[index:]

    def _event_property(self, line: Line) -> None:
        event = self._event
        assert event is not None
        name = line.name
        # Series and status count at any depth inside the event: fail closed.
        if name in _SERIES:
            event.series = True
        elif name == b"STATUS":
            event.cancelled = event.cancelled or is_cancelled(line.raw)
        elif len(self._stack) - 1 != self._event_depth:
            return
        elif name == b"SUMMARY":
            event.summary = event.summary or line.raw
        elif name == b"DTSTART":
            event.dtstart = event.dtstart or line.raw
        elif name == b"DTEND":
            event.dtend = event.dtend or line.raw
        elif name == b"DURATION":
            event.duration = event.duration or line.raw
        elif name == b"X-MICROSOFT-CDO-ALLDAYEVENT":
            event.all_day = event.all_day or is_true(line.raw)

    def _zone_line(self, line: Line) -> None:
        zone = self._zone
        assert zone is not None
        if len(zone) < _MAX_ZONE_LINES:
            zone.append(line)
        else:
            zone.clear()
            self._zone = None

    def _store_zone(self, lines: list[Line]) -> None:
        tzid = next((line for line in lines if line.name == b"TZID"), None)
        if tzid is None:
            return
        parsed = parse_line(decode(tzid.raw))
        key = clean_tzid(parsed.value).casefold() if parsed is not None else ""
        if not key or key in self.found.zones:
            return
        if len(self.found.zones) >= MAX_ZONE_DEFINITIONS:
            self.found.too_many_zones = True
            return
        self.found.zones[key] = lines

    def _plain_outside(
        self,
        data: bytes,
        position: int,
        outside: tuple[re.Pattern[bytes], re.Pattern[bytes]],
        *,
        crlf: bool,
    ) -> re.Match[bytes] | None:
        """Return the plain events outside the window from *position* (the LF before a
        BEGIN:VEVENT line): one while names matter, else the whole run of them."""
        one, run = outside
        match = (run if self.found.real_name else one).match(data, position)
        if match is None or not line_ends_only(data, position, match.end(), crlf=crlf):
            return None
        return match

    def _pass_over(self, data: bytes, match: re.Match[bytes]) -> bool:
        """Pass over the events *match* found, noting only what the whole feed's checks need;
        return False when they must be read instead."""
        if self._cancelled():
            raise FeedCancelledError
        # Passing over must leave behind what reading the events would: so never while an event
        # is open (the first would cut it off) or where alarms would not fit under the limit.
        if self._event is not None or len(self._stack) >= _MAX_DEPTH - 1:
            return False
        if not self.found.real_name:
            # Then names mattered when the match was made too: it is one event.
            event = unfold(data[match.start() : match.end()])
            self._count_name(_own_summary(event.upper, event.text))
        self.found.calendar_seen = True
        return True

    def _count_name(self, summary: bytes | None) -> None:
        """Note a named event, and whether its name is what free/busy publishing writes."""
        found = self.found
        if summary is None or found.real_name:
            return
        value = line_value(summary)
        if value.strip():
            found.named = True
            found.real_name = len(value) > 64 or not is_busy_word(decode(value))

    def _finish(self, *, complete: bool) -> None:
        if self._cancelled():
            raise FeedCancelledError
        event = self._event
        assert event is not None
        self._event = None
        self._event_depth = -1
        event.complete = complete
        found = self.found
        if not complete:
            found.truncated = True
        self._count_name(event.summary)
        digits = _peek_date(event.dtstart) if event.dtstart is not None else None
        if digits is not None:
            if self._window is not None and not self._window[0] <= digits <= self._window[1]:
                return
            # The date as written is at most a day from the practitioner's: over twice the limit
            # on one written date is over the limit on some day, so stop reading at once.
            self._per_date[digits] += 1
            if self._per_date[digits] > 2 * MAX_EVENTS_PER_DAY:
                day = f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
                raise FeedTooBusyError(
                    _MSG_TOO_BUSY.format(count=f"more than {2 * MAX_EVENTS_PER_DAY}", day=day)
                )
        found.events.append(event)


def _own_summary(upper: bytes, text: bytes) -> bytes | None:
    """Return the SUMMARY line of the plain event *text* itself (not of an alarm)."""
    position = 0
    while (found := upper.find(b"\nSUMMARY", position)) >= 0:
        position = found + 8
        if upper[position] not in b";:":
            continue
        opened = upper.rfind(b"\nBEGIN:VALARM", 0, found)
        if opened < 0 or opened < upper.rfind(b"\nEND:VALARM", 0, found):
            return text[found + 1 : upper.find(b"\n", position)]
    return None


@functools.lru_cache(maxsize=8)
def _outside_patterns(
    low: str, high: str, *, crlf: bool
) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Return patterns for one plain event, and for a run of them, whose first DTSTART date (as
    :func:`_peek_date` reads it) is before *low* or after *high* (both YYYYMMDD)."""
    # A date is before low when it has low's first digits, then a smaller one, then any.
    before = [
        f"{low[:index]}[0-{int(digit) - 1}][0-9]{{{7 - index}}}"
        for index, digit in enumerate(low)
        if digit != "0"
    ]
    after = [
        f"{high[:index]}[{int(digit) + 1}-9][0-9]{{{7 - index}}}"
        for index, digit in enumerate(high)
        if digit != "9"
    ]
    dates = before + after
    date = ("(?:" + "|".join(dates) + ")" if dates else "(?!)").encode("ascii")
    one = plain_event_pattern(date, crlf=crlf)
    return re.compile(one), re.compile(b"(?:" + one + b")++")


def _peek_date(raw: bytes) -> str | None:
    """Return the 8 date digits of a DTSTART line without tokenising it."""
    colon = raw.rfind(b":")
    digits = raw[colon + 1 : colon + 9]
    if colon < 0 or len(digits) != 8 or not digits.isdigit():
        return None
    return digits.decode("ascii")


class _Reader:
    """Reads the scanned events of one feed: zones, fallbacks, names and the warnings."""

    def __init__(self, found: _Scanned, *, tz: tzinfo) -> None:
        self.warnings: Counter[str] = Counter()
        self.scrubbed = 0
        self.shortened = 0
        self.windows_1252 = False
        self.tz = tz
        self.local = TzinfoZone(tz)
        self._heads: dict[bytes, ContentLine] = {}
        self.resolver = ZoneResolver(found.zones)
        self.calendar_zone: Zone | None = None
        if found.calendar_zone is not None:
            text, utf8 = decode_checked(found.calendar_zone.raw)
            self.windows_1252 = not utf8
            content = parse_line(text)
            if content is not None and clean_tzid(content.value):
                self.calendar_zone = self.resolver.resolve(content.value)
                if self.calendar_zone is None:
                    self._unknown_zone(content.value)

    def _content(self, raw: bytes | None) -> ContentLine | None:
        """Return a date or duration line tokenised (the value of such a line has no colon).

        The part before the value (``DTSTART;TZID=Europe/Berlin``) repeats from event to event:
        it is read once per feed.
        """
        if raw is None or len(raw) > _MAX_DATE_LINE:
            return None
        colon = raw.rfind(b":")
        if colon < 0:
            return None
        head = raw[:colon]
        known = self._heads.get(head)
        if known is None:
            text, utf8 = decode_checked(raw)
            self.windows_1252 = self.windows_1252 or not utf8
            known = parse_line(text, value_has_no_colon=True)
            if known is None:
                return None
            if len(self._heads) < _MAX_HEADS:
                self._heads[head] = known
            return known
        return ContentLine(known.name, known.params, raw[colon + 1 :].decode("latin-1"))

    def name(self, line: bytes | None) -> str | None:
        """Return the SUMMARY of *line*: unescaped, without contact details, capped."""
        if line is None:
            return None
        value = line_value(line)
        if len(value) > _NAME_BYTES:
            cut = _NAME_BYTES
            while cut > 0 and value[cut] & 0xC0 == 0x80:
                cut -= 1  # do not split a UTF-8 character
            value = value[:cut]
        text, utf8 = decode_checked(value)
        self.windows_1252 = self.windows_1252 or not utf8
        text, scrubbed = scrub_contact_details(unescape_text(text))
        text, shortened = shorten(text)
        self.scrubbed += scrubbed
        self.shortened += shortened
        return text

    def _unknown_zone(self, tzid: str) -> None:
        label = clean_tzid(tzid)[:_MAX_TZID_LABEL] or "(empty)"
        self.warnings[
            f"The time zone “{label}” is not known; its events were read in your own time zone."
        ] += 1

    def _partner_zone(self, line: ContentLine | None) -> Zone | None:
        if line is None or "TZID" not in line.params:
            return None
        return self.resolver.resolve(line.params["TZID"])

    def _zone_for(self, line: ContentLine, value: DateTimeValue, *, default: Zone | None) -> Zone:
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

    def read(self, event: EventLines) -> ImportedSession | SkippedEvent:
        """Return the session *event* is, or why it is skipped."""
        tz = self.tz
        name = self.name(event.summary)
        start_line = self._content(event.dtstart)
        end_line = self._content(event.dtend)
        start_value = parse_date_time(start_line) if start_line is not None else None
        start: datetime | None = None
        start_zone: Zone | None = None
        if start_line is not None and start_value is not None:
            if isinstance(start_value.value, datetime):
                start_zone = self._zone_for(
                    start_line, start_value, default=self._partner_zone(end_line)
                )
                start = start_zone.localize(start_value.value).astimezone(tz)
            else:
                start = _start_of_day(start_value.value, tz)

        def skipped(reason: SkipReason) -> SkippedEvent:
            return SkippedEvent(name=name, start=start, reason=reason)

        if not event.complete:
            return skipped(SkipReason.INCOMPLETE)
        if event.series:
            return skipped(SkipReason.REPEATING)
        if event.cancelled:
            return skipped(SkipReason.CANCELLED)
        if start_value is not None and not isinstance(start_value.value, datetime):
            return skipped(SkipReason.ALL_DAY)
        if event.all_day:
            return skipped(SkipReason.ALL_DAY)
        if start is None or start_zone is None or start_value is None:
            return skipped(SkipReason.INVALID_TIME)
        assert isinstance(start_value.value, datetime)
        end: datetime | None = None
        if end_line is not None:
            end_value = parse_date_time(end_line)
            if end_value is None or not isinstance(end_value.value, datetime):
                return skipped(SkipReason.INVALID_TIME)
            # A floating end beside a zoned start takes the start's zone.
            end_zone = self._zone_for(end_line, end_value, default=start_zone)
            end = end_zone.localize(end_value.value)
        elif event.dtend is not None:
            return skipped(SkipReason.INVALID_TIME)
        elif event.duration is not None:
            duration_line = self._content(event.duration)
            duration = parse_duration(duration_line.value) if duration_line else None
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

    def messages(self) -> list[str]:
        """Return the warnings, in the order they first happened, then the name notes."""
        messages = list(self.warnings)
        if self.resolver.unreadable:
            messages.insert(
                0, "A time zone definition in the feed could not be read; it was ignored."
            )
        if self.windows_1252:
            messages.insert(0, _WARN_CP1252)
        if self.scrubbed:
            messages.append(_WARN_SCRUBBED.format(count=self.scrubbed))
        if self.shortened:
            messages.append(_WARN_SHORTENED.format(count=self.shortened, limit=MAX_NAME_LENGTH))
        return messages


def _start_of_day(day: date, tz: tzinfo) -> datetime:
    return TzinfoZone(tz).localize(datetime.combine(day, time()))


def import_feed(
    data: bytes,
    *,
    tz: tzinfo,
    window: tuple[datetime, datetime] | None = None,
    from_file: bool = False,
    cancelled: Callable[[], bool] = lambda: False,
) -> ImportResult:
    """Read the sessions of an iCalendar feed.

    Args:
        data: the feed as fetched (any encoding, line ending or folding seen in the wild).
        tz: the practitioner's zone: times come back in it, and it is the zone of last resort for
            times whose zone the feed does not say or define (a warning says so).
        window: (start, end), aware; only events starting at or after start and before end are
            returned, in ``sessions`` and in ``skipped``. Events whose DTSTART date is clearly
            outside are passed over without being read. None imports everything.
        from_file: the bytes come from a file, not an address (for the wording of errors).
        cancelled: looked at for each event read and each run of events passed over; True stops
            the import at once.

    Returns:
        The sessions, the skipped events with reasons, and warnings about the feed.

    Raises:
        FeedNotCalendarError: the bytes are not a calendar at all (an HTML page, an empty body).
        FeedTooBusyError: more than ``MAX_EVENTS_PER_DAY`` events start on one day.
        FeedCancelledError: *cancelled* said so.
    """
    if window is not None and (window[0].tzinfo is None or window[1].tzinfo is None):
        raise ValueError("the import window must be timezone-aware")
    digits = None
    if window is not None:
        digits = (
            _shifted_digits(window[0], -_PEEK_MARGIN, "00000000"),
            _shifted_digits(window[1], _PEEK_MARGIN, "99999999"),
        )
    found = _Scanner(digits, cancelled).run(feed_bytes(data))
    if not found.calendar_seen:
        raise FeedNotCalendarError(_MSG_FILE_NOT_CALENDAR if from_file else _MSG_NOT_CALENDAR)
    reader = _Reader(found, tz=tz)

    sessions: list[ImportedSession] = []
    skipped: list[SkippedEvent] = []
    broken = 0
    for event in found.events:
        if cancelled():
            raise FeedCancelledError
        try:
            item = reader.read(event)
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
    _check_sanity(sessions, skipped, tz=tz)

    warnings = reader.messages()
    if broken:
        warnings.append(_WARN_BROKEN)
    if found.too_many_zones:
        warnings.append(_WARN_ZONES.format(limit=MAX_ZONE_DEFINITIONS))
    if found.truncated:
        warnings.append(_WARN_CUT)
    free_busy = None
    if found.named and not found.real_name:
        free_busy = free_busy_advice(platform_of(_prodid(found.prodid)))
        warnings.append(free_busy)
    sessions.sort(key=lambda s: (s.start, s.end, s.name))
    far_future = datetime.max.replace(tzinfo=UTC)
    skipped.sort(key=lambda s: (s.start or far_future, s.reason, s.name or ""))
    return ImportResult(
        sessions=tuple(sessions),
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        truncated=found.truncated,
        names_scrubbed=reader.scrubbed,
        names_shortened=reader.shortened,
        free_busy=free_busy,
    )


def _prodid(line: Line | None) -> str | None:
    return None if line is None else decode(line.value()[:200])


def _check_sanity(
    sessions: list[ImportedSession], skipped: list[SkippedEvent], *, tz: tzinfo
) -> None:
    """Refuse a feed with more events on one day than one practitioner can have."""
    per_day: Counter[date] = Counter(s.start.astimezone(tz).date() for s in sessions)
    per_day.update(s.start.astimezone(tz).date() for s in skipped if s.start is not None)
    if not per_day:
        return
    day, count = per_day.most_common(1)[0]
    if count > MAX_EVENTS_PER_DAY:
        raise FeedTooBusyError(_MSG_TOO_BUSY.format(count=f"{count:,}", day=day.isoformat()))


def _shifted_digits(moment: datetime, shift: timedelta, beyond: str) -> str:
    """Return the UTC date of *moment* + *shift* as YYYYMMDD (*beyond* past the calendar's ends)."""
    try:
        day = (moment.astimezone(UTC) + shift).date()
    except OverflowError:
        return beyond
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"
