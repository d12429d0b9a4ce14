"""A tolerant, whitelist-only reader of iCalendar text.

It decodes and unfolds the bytes once, finds components with plain string searches, and reads from
each VEVENT only the handful of properties a session needs. Lines of any other property (LOCATION,
DESCRIPTION, ATTENDEE, ORGANIZER, X- properties, alarms, recurrence rules) are never tokenised: for
RRULE, RDATE and RECURRENCE-ID only the fact that the property is present is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

_BOM = b"\xef\xbb\xbf"
_TEXT_ESCAPE_RE = re.compile(r"\\(.)", re.S)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_DATE_TIME_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?", re.I)
_DURATION_RE = re.compile(
    r"([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", re.I
)
_STRUCTURE_RE = re.compile(
    r"^(begin|end)(\s*:\s*)(vcalendar|vevent|vtimezone|standard|daylight|valarm)", re.I | re.M
)

_EVENT_PROPERTIES = (
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DURATION",
    "STATUS",
    "RRULE",
    "RDATE",
    "RECURRENCE-ID",
    "X-MICROSOFT-CDO-ALLDAYEVENT",
)
_SERIES_PROPERTIES = frozenset({"RRULE", "RDATE", "RECURRENCE-ID"})
_DATE_PROPERTIES = frozenset({"DTSTART", "DTEND"})


@dataclass(frozen=True, slots=True)
class DecodedFeed:
    """Feed text ready to scan: decoded, line endings made LF, unfolded, led by a newline.

    Attributes:
        text: the unfolded text; every content line starts right after a ``\\n``.
        windows_1252: True when the bytes were not UTF-8 and were read as Windows-1252.
    """

    text: str = field(repr=False)
    windows_1252: bool


def decode_feed(data: bytes) -> DecodedFeed:
    """Decode and unfold *data* (BOM, CRLF/LF/CR, folding with space or TAB, cp1252 fallback).

    Unfolding happens on bytes, before decoding, so a UTF-8 character split by a fold is whole.
    """
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    # Blank lines are not allowed, but some writers put them between a line and its folded
    # continuation; dropping them lets the fold join up again.
    while b"\n\n" in data:
        data = data.replace(b"\n\n", b"\n")
    data = data.replace(b"\n ", b"").replace(b"\n\t", b"")
    try:
        text = data.decode("utf-8")
        windows_1252 = False
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        windows_1252 = True
    text = text.lstrip()
    if "BEGIN:VEVENT" not in text and "BEGIN:VCALENDAR" not in text:
        text = _STRUCTURE_RE.sub(lambda m: f"{m.group(1)}:{m.group(3)}".upper(), text)
    return DecodedFeed("\n" + text, windows_1252)


def looks_like_calendar(feed: DecodedFeed) -> bool:
    """Return True when the text holds a calendar or at least one event."""
    return "\nBEGIN:VCALENDAR" in feed.text or "\nBEGIN:VEVENT" in feed.text


def iter_blocks(text: str, kind: str) -> Iterator[tuple[str, bool]]:
    """Yield (body, complete) for each ``BEGIN:<kind>`` ... ``END:<kind>`` block of *text*.

    *complete* is False for a block cut off by the end of the text.
    """
    begin = f"\nBEGIN:{kind}"
    end = f"\nEND:{kind}"
    position = 0
    while True:
        start = text.find(begin, position)
        if start < 0:
            return
        body_start = start + len(begin)
        stop = text.find(end, body_start)
        if stop < 0:
            yield text[body_start:], False
            return
        # A block that is never closed must not swallow the next one.
        next_start = text.find(begin, body_start, stop)
        if next_start >= 0:
            yield text[body_start:next_start], False
            position = next_start
            continue
        yield text[body_start:stop], True
        position = stop + len(end)


def calendar_property(text: str, name: str) -> str | None:
    """Return the value of the first calendar-level line *name* (e.g. X-WR-TIMEZONE), or None."""
    start = text.find(f"\n{name}")
    while start >= 0:
        line_end = text.find("\n", start + 1)
        line = parse_line(text[start + 1 : line_end if line_end >= 0 else len(text)])
        if line is not None and line.name == name:
            return line.value
        start = text.find(f"\n{name}", start + 1)
    return None


@dataclass(frozen=True, slots=True)
class ContentLine:
    """One tokenised content line: ``NAME;PARAM=value:VALUE``.

    Attributes:
        name: the property name, upper case, with stray whitespace removed.
        params: parameter names (upper case) to their first value, quotes removed.
        value: the raw value (not unescaped).
    """

    name: str
    params: dict[str, str]
    value: str = field(repr=False)


def _split_quoted(line: str) -> tuple[list[str], str] | None:
    parts: list[str] = []
    in_quotes = False
    segment_start = 0
    for index, char in enumerate(line):
        if char == '"':
            in_quotes = not in_quotes
        elif not in_quotes:
            if char == ";":
                parts.append(line[segment_start:index])
                segment_start = index + 1
            elif char == ":":
                parts.append(line[segment_start:index])
                return parts, line[index + 1 :]
    return None


def parse_line(line: str, *, value_has_no_colon: bool = False) -> ContentLine | None:
    """Tokenise one unfolded content line, respecting quoted parameter values.

    Args:
        line: the line without its line ending.
        value_has_no_colon: the value cannot contain ``:`` (dates), so an unquoted parameter that
            does (``TZID=(UTC+01:00) Amsterdam``) is kept whole by splitting at the last colon.

    Returns:
        The tokens, or None for a line that has no ``name:value`` shape.
    """
    if '"' in line:
        split = _split_quoted(line)
        if split is None:
            return None
        parts, value = split
    else:
        colon = line.rfind(":") if value_has_no_colon else line.find(":")
        if colon < 0:
            return None
        parts, value = line[:colon].split(";"), line[colon + 1 :]
    name = "".join(parts[0].split()).upper()
    if not name:
        return None
    params: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, param_value = part.partition("=")
        if not sep:
            continue
        param_value = param_value.strip()
        if len(param_value) >= 2 and param_value[0] == '"' and param_value[-1] == '"':
            param_value = param_value[1:-1]
        params.setdefault("".join(key.split()).upper(), param_value.strip('"'))
    return ContentLine(name, params, value)


def unescape_text(value: str) -> str:
    """Return a TEXT value unescaped, with newlines and control characters turned into spaces."""

    def replace(match: re.Match[str]) -> str:
        char = match.group(1)
        return " " if char in "nN" else char

    text = _TEXT_ESCAPE_RE.sub(replace, value)
    text = _CONTROL_RE.sub(" ", text).replace("\t", " ")
    return " ".join(text.split())


@dataclass(slots=True)
class RawEvent:
    """The whitelisted properties of one VEVENT, as read (nothing else is kept).

    Attributes:
        summary: the SUMMARY value, unescaped; None when absent.
        dtstart: the DTSTART line.
        dtend: the DTEND line.
        duration: the DURATION line.
        cancelled: STATUS is CANCELLED.
        series: RRULE, RDATE or RECURRENCE-ID is present (their values are never read).
        all_day_flag: X-MICROSOFT-CDO-ALLDAYEVENT is TRUE.
    """

    summary: str | None = field(default=None, repr=False)
    dtstart: ContentLine | None = None
    dtend: ContentLine | None = None
    duration: ContentLine | None = None
    cancelled: bool = False
    series: bool = False
    all_day_flag: bool = False


def read_event(body: str) -> RawEvent:
    """Read the whitelisted properties from the unfolded body of one VEVENT.

    Nested components (VALARM) are passed over. Lines of other properties are never tokenised.
    """
    event = RawEvent()
    depth = 0
    for line in body.split("\n"):
        if not line:
            continue
        head = line[:28].upper()
        if head.startswith("BEGIN:"):
            depth += 1
            continue
        if head.startswith("END:"):
            depth = max(depth - 1, 0)
            continue
        if depth or not head.lstrip().startswith(_EVENT_PROPERTIES):
            continue
        name = "".join(re.split(r"[;:]", line, maxsplit=1)[0].split()).upper()
        if name in _SERIES_PROPERTIES:
            event.series = True
            continue
        if name not in _EVENT_PROPERTIES:
            continue
        content = parse_line(line, value_has_no_colon=name in _DATE_PROPERTIES)
        if content is None:
            continue
        if name == "SUMMARY":
            if event.summary is None:
                event.summary = unescape_text(content.value)
        elif name == "DTSTART":
            event.dtstart = event.dtstart or content
        elif name == "DTEND":
            event.dtend = event.dtend or content
        elif name == "DURATION":
            event.duration = event.duration or content
        elif name == "STATUS":
            event.cancelled = event.cancelled or content.value.strip().upper() == "CANCELLED"
        elif name == "X-MICROSOFT-CDO-ALLDAYEVENT":
            event.all_day_flag = content.value.strip().upper() == "TRUE"
    return event


@dataclass(frozen=True, slots=True)
class DateTimeValue:
    """A DATE or DATE-TIME value as written.

    Attributes:
        value: a date (all-day) or a naive wall-clock datetime.
        utc: the value ended in ``Z``.
    """

    value: date | datetime
    utc: bool


def parse_date_time(line: ContentLine) -> DateTimeValue | None:
    """Return the first DATE or DATE-TIME of *line*, or None when it cannot be read."""
    text = line.value.strip().split(",")[0].strip()
    match = _DATE_TIME_RE.fullmatch(text)
    if not match:
        return None
    year, month, day, hour, minute, second, zulu = match.groups()
    try:
        if hour is None or line.params.get("VALUE", "").upper() == "DATE":
            return DateTimeValue(date(int(year), int(month), int(day)), utc=False)
        wall = datetime(  # noqa: DTZ001 - a wall time, localised by the importer
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
        )
    except ValueError:
        return None
    return DateTimeValue(wall, utc=zulu is not None)


@dataclass(frozen=True, slots=True)
class Duration:
    """An RFC 5545 duration split into nominal days and exact seconds.

    Attributes:
        days: nominal days (weeks included); they follow wall-clock time.
        exact: hours, minutes and seconds, in real time.
    """

    days: int
    exact: timedelta


def parse_duration(text: str) -> Duration | None:
    """Return the DURATION value *text*, or None when it cannot be read."""
    match = _DURATION_RE.fullmatch(text.strip())
    if not match or text.strip().upper().rstrip("T").endswith("P"):
        return None
    sign, weeks, days, hours, minutes, seconds = match.groups()
    if not any((weeks, days, hours, minutes, seconds)):
        return None
    factor = -1 if sign == "-" else 1
    total_days = int(weeks or 0) * 7 + int(days or 0)
    exact = timedelta(hours=int(hours or 0), minutes=int(minutes or 0), seconds=int(seconds or 0))
    if total_days > 100_000 or exact > timedelta(days=100_000):
        return None
    return Duration(factor * total_days, factor * exact)
