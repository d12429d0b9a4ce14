"""A tolerant, whitelist-only reader of iCalendar bytes, in one linear pass.

The bytes are unfolded once (CRLF, LF or CR; folds with a space or a TAB, even inside a UTF-8
character) and scanned line by line for the few names Session Clock reads. Every other line
(LOCATION, DESCRIPTION, ATTENDEE, ORGANIZER, X- properties, alarms) is passed over without being
decoded or tokenised. Each line that is read is decoded on its own: UTF-8, or Windows-1252 when
that one line is not UTF-8. Property and component names are case-insensitive, and a name broken by
NUL bytes or spaces (``RRU\\0LE``) still counts, so that a damaged RRULE or STATUS can never let an
event through. The time and memory of a scan grow linearly with the input, whatever its structure
(unclosed or nested components, huge lines).

Events of the plain shape nearly every event has can also be recognised whole, on the bytes as
they come, by one compiled pattern (:func:`plain_event_pattern`): the importer passes over runs of
events outside its window that way, without unfolding or scanning them line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_TEXT_ESCAPE_RE = re.compile(r"\\(.)", re.S)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_DATE_TIME_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(Z)?)?", re.I)
_DURATION_RE = re.compile(
    r"([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?", re.I
)
_FOLD_RE = re.compile(rb"\n(?:[ \t]|(?=\n))")
_NOT_NAME = bytes(b for b in range(256) if not (chr(b).isalnum() and b < 128) and b != ord("-"))

NAMES = frozenset(
    {
        b"BEGIN",
        b"END",
        b"SUMMARY",
        b"DTSTART",
        b"DTEND",
        b"DURATION",
        b"STATUS",
        b"RRULE",
        b"RDATE",
        b"EXRULE",
        b"RECURRENCE-ID",
        b"X-MICROSOFT-CDO-ALLDAYEVENT",
        b"TZID",
        b"TZOFFSETFROM",
        b"TZOFFSETTO",
        b"X-WR-TIMEZONE",
        b"PRODID",
    }
)
"""The only property names a scan yields; every other line is never decoded."""

# A line of the upper-cased text is yielded when it is a clean BEGIN/END line (the component is
# captured), when it starts with one of NAMES followed by ";" or ":", or when its name holds
# anything that is not a letter, a digit or "-" (NUL, spaces, junk): such a name is cleaned and
# looked up again, so "RRU\0LE" is seen as RRULE and "BEGIN : VEVENT" as BEGIN.
_CANDIDATE_RE = re.compile(
    # A plain STATUS that cannot be CANCELLED is passed over at once (most events have one).
    rb"\n(?!STATUS:(?:CONFIRMED|TENTATIVE)\n)(?:(BEGIN|END):([A-Z0-9-]+)(?=\n)|("
    + b"|".join(re.escape(name) for name in sorted(NAMES, key=lambda n: -len(n)))
    + rb")[;:][^\n]*|[A-Z0-9-]*[^A-Z0-9\-;:\n][^\n]*)"
)
_NAME_END_RE = re.compile(rb"[;:]")
_CANCELLED = frozenset({b"CANCELLED", b"CANCELED"})


@dataclass(frozen=True, slots=True)
class Prepared:
    """Feed bytes ready to scan.

    Attributes:
        text: the unfolded bytes, LF line ends, led by a ``\\n`` (UTF-8 when the feed was UTF-16
            or UTF-32).
        upper: ``text`` upper-cased (ASCII only, so every offset matches ``text``).
    """

    text: bytes = field(repr=False)
    upper: bytes = field(repr=False)


def _unicode_text(data: bytes) -> str | None:
    """Return *data* decoded when it is UTF-16 or UTF-32 (by BOM, or by its NUL pattern)."""
    for bom, codec in zip(_UTF32_BOMS, ("utf-32-le", "utf-32-be"), strict=True):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    for bom, codec in zip(_UTF16_BOMS, ("utf-16-le", "utf-16-be"), strict=True):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    # Without a BOM: "BEGIN" with a NUL beside each letter; big-endian puts the letters at odd
    # offsets.
    found = data[:64].upper().find(b"B\x00E\x00G\x00I\x00N")
    if found < 0:
        return None
    return data.decode("utf-16-be" if found % 2 else "utf-16-le", errors="replace")


def feed_bytes(data: bytes) -> bytes:
    """Return *data* as it is read: UTF-16 and UTF-32 re-encoded as UTF-8, without a byte order
    mark or leading whitespace (line ends and folds as they were)."""
    text = _unicode_text(data)
    if text is not None:
        data = text.encode("utf-8", errors="replace")
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    return data.lstrip()


def line_end(data: bytes) -> bytes:
    """Return the line end *data* (from :func:`feed_bytes`) starts with: CRLF, LF, or empty when it
    has no LF at all."""
    first = data.find(b"\n")
    if first < 0:
        return b""
    return b"\r\n" if data[first - 1 : first] == b"\r" else b"\n"


def unfold(data: bytes) -> Prepared:
    """Return *data* (from :func:`feed_bytes`, or a stretch of it from a line start or line end)
    unfolded on bytes, so that a UTF-8 character split by a fold is whole again."""
    if b"\r" in data:
        lf = data.translate(None, b"\r")
        # Deleting every CR is right when each one ends a CRLF (one pass, no search); a CR on its
        # own ends a line too.
        if len(data) - len(lf) == data.count(b"\r\n"):
            data = lf
        else:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    # Blank lines are not allowed, but some writers put them between a line and its folded
    # continuation: a line end followed by another is dropped, so the fold joins up again.
    data = _FOLD_RE.sub(b"", data)
    if not data.startswith(b"\n"):
        data = b"\n" + data
    return Prepared(data, data.upper())


def prepare(data: bytes) -> Prepared:
    """Return the feed *data* ready to scan (:func:`feed_bytes`, then :func:`unfold`)."""
    return unfold(feed_bytes(data))


def clean_name(raw: bytes) -> bytes:
    """Return a property or component name without junk bytes, upper case (``rru\\0le`` → RRULE)."""
    return raw.translate(None, _NOT_NAME).upper()


def line_value(raw: bytes) -> bytes:
    """Return the bytes of *raw* (one line) after the first colon outside a quoted parameter."""
    position = 0
    while True:
        colon = raw.find(b":", position)
        quote = raw.find(b'"', position, colon if colon >= 0 else len(raw))
        if colon < 0:
            return b""
        if quote < 0:
            return raw[colon + 1 :]
        close = raw.find(b'"', quote + 1)
        if close < 0:
            return b""
        position = close + 1


class Line(NamedTuple):
    """One content line a scan yields.

    Attributes:
        name: the property name, cleaned and upper case (one of ``NAMES``).
        raw: the whole unfolded line, as bytes.
        component: for BEGIN and END, the component (cleaned, upper case); else empty.
    """

    name: bytes
    raw: bytes
    component: bytes = b""

    def value(self) -> bytes:
        """Return the bytes after the first colon that is not inside a quoted parameter."""
        return line_value(self.raw)


def scan(prepared: Prepared) -> Iterator[Line]:
    """Yield the lines of *prepared* whose name is one of ``NAMES``, in order."""
    text = prepared.text
    upper = prepared.upper
    for match in _CANDIDATE_RE.finditer(upper):
        structure, component, name = match.group(1, 2, 3)
        begin, end = match.start() + 1, match.end()
        if structure is not None:
            yield Line(structure, text[begin:end], component)
            continue
        if name is None:
            head = upper[begin : min(begin + 80, end)]
            name_end = _NAME_END_RE.search(head)
            name = clean_name(head[: name_end.start() if name_end else len(head)])
            if name not in NAMES:
                continue
        raw = text[begin:end]
        if name == b"BEGIN" or name == b"END":
            colon = raw.find(b":")
            part = clean_name(raw[colon + 1 : colon + 81]) if colon >= 0 else b""
            yield Line(name, raw, part)
        else:
            yield Line(name, raw)


def plain_event_pattern(date: bytes, *, crlf: bool) -> bytes:
    """Return the pattern of one event of the plain shape, read on bytes as :func:`feed_bytes`
    leaves them, whose first DTSTART has *date*.

    The plain shape is the one nearly every event has: a clean BEGIN line; lines whose names are
    clean and not BEGIN or END, or whole VALARMs of such lines; a clean END line; no blank line.
    Such an event is closed by its own END with nothing left open inside it, no name in it is
    damaged, and unfolding it changes no line's name. A match starts at the LF before the BEGIN
    line and ends with the END line, before its line end.

    Args:
        date: a pattern for the 8 bytes after the last colon of the event's first DTSTART line
            (an alarm's does not count). Names are matched in upper case only, as feeds write
            them: an event with a name in lower case does not match.
        crlf: every line ends with CRLF, else with LF. Either way a CR inside a line (a line end
            of its own to :func:`unfold`) is not ruled out: see :func:`line_ends_only`.

    Every repetition is possessive: an attempt never goes back, so it takes time linear in what it
    reads, and it stops at the first line that does not fit (the next BEGIN:VEVENT at the latest).
    """
    cr = b"\r" if crlf else b""
    # A line not continued, folded or after a blank line: its last byte ends it.
    ends = cr + rb"(?=\n[^ \t\r\n])"
    rest = rb"[^\n]*+" + (rb"(?<=\r)" if crlf else b"")
    # A line with a clean name, or a folded continuation.
    line = rb"\n(?:(?!(?:BEGIN|END)[;:])[A-Z0-9-]++[;:]|[ \t])" + rest
    before = rb"\n(?:(?!(?:BEGIN|END|DTSTART)[;:])[A-Z0-9-]++[;:]|[ \t])" + rest
    alarm = rb"\nBEGIN:VALARM" + ends + rb"(?:" + line + rb")*+\nEND:VALARM" + ends
    return (
        rb"\nBEGIN:VEVENT" + ends + rb"(?:" + before + rb"|" + alarm + rb")*+"
        + rb"\nDTSTART(?::|;[^\n:]*+:)(?:[^\n:]*+:)*+" + date + rest + rb"(?=\n[^ \t\r\n])"
        + rb"(?:" + line + rb"|" + alarm + rb")*+"
        + rb"\nEND:VEVENT" + cr + rb"(?=\n[^ \t\r\n]|\n?\Z)"
    )  # fmt: skip


def line_ends_only(data: bytes, start: int, end: int, *, crlf: bool) -> bool:
    """Return whether every CR in a match of :func:`plain_event_pattern` ends a line (the pattern
    itself sees to the LFs, much faster than if it looked for CRs too)."""
    if crlf:
        return data.count(b"\r", start, end) == data.count(b"\n", start, end)
    return data.find(b"\r", start, end) < 0


@dataclass(slots=True)
class EventLines:
    """What the importer keeps of one VEVENT: a few whole lines and flags (nothing else).

    Attributes:
        summary: the first SUMMARY line of the event itself (not of an alarm inside it).
        dtstart: the first DTSTART line.
        dtend: the first DTEND line.
        duration: the first DURATION line.
        series: RRULE, RDATE, EXRULE or RECURRENCE-ID appears anywhere inside the event.
        cancelled: a STATUS anywhere inside the event says CANCELLED (or CANCELED).
        all_day: X-MICROSOFT-CDO-ALLDAYEVENT says TRUE.
        damaged: a component inside the event was left open.
        complete: the event was closed by its own END, with nothing inside it left open.
    """

    summary: bytes | None = field(default=None, repr=False)
    dtstart: bytes | None = None
    dtend: bytes | None = None
    duration: bytes | None = None
    series: bool = False
    cancelled: bool = False
    all_day: bool = False
    damaged: bool = False
    complete: bool = False


def is_cancelled(line: bytes) -> bool:
    """Return whether a STATUS line says CANCELLED (junk and case ignored)."""
    return clean_name(line_value(line)[:64]) in _CANCELLED


def is_true(line: bytes) -> bool:
    """Return whether a flag line (X-MICROSOFT-CDO-ALLDAYEVENT) says TRUE."""
    return clean_name(line_value(line)[:16]) == b"TRUE"


def decode(raw: bytes) -> str:
    """Return one line (or value) decoded: UTF-8, or Windows-1252 when it is not UTF-8."""
    return decode_checked(raw)[0]


def decode_checked(raw: bytes) -> tuple[str, bool]:
    """Return one line decoded, and whether it was UTF-8 (else it was read as Windows-1252)."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), False


class ContentLine(NamedTuple):
    """One tokenised content line: ``NAME;PARAM=value:VALUE``.

    Attributes:
        name: the property name, upper case, with stray whitespace removed.
        params: parameter names (upper case) to their first value, quotes removed.
        value: the raw value (not unescaped).
    """

    name: str
    params: dict[str, str]
    value: str


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

    if "\\" not in value and value.isprintable():
        return " ".join(value.split())
    text = _TEXT_ESCAPE_RE.sub(replace, value)
    text = _CONTROL_RE.sub(" ", text).replace("\t", " ")
    return " ".join(text.split())


class DateTimeValue(NamedTuple):
    """A DATE or DATE-TIME value as written.

    Attributes:
        value: a date (all-day) or a naive wall-clock datetime.
        utc: the value ended in ``Z``.
    """

    value: date | datetime
    utc: bool


def parse_date_time(line: ContentLine) -> DateTimeValue | None:
    """Return the first DATE or DATE-TIME of *line*, or None when it cannot be read."""
    text = line.value.strip()
    if "," in text:
        text = text.split(",", 1)[0].strip()
    size = len(text)
    if size > 17 or not text[:8].isdigit():
        return None
    as_date = bool(line.params) and line.params.get("VALUE", "").upper() == "DATE"
    try:
        if size == 8:
            return DateTimeValue(date(int(text[:4]), int(text[4:6]), int(text[6:8])), utc=False)
        usual = size == 15 or (size == 16 and text[15] in "Zz")
        if usual and not as_date and text[8] in "Tt" and text[9:15].isdigit():
            # The usual shape, read without the regular expression.
            wall = datetime(  # noqa: DTZ001 - a wall time, localised by the importer
                int(text[:4]), int(text[4:6]), int(text[6:8]),
                int(text[9:11]), int(text[11:13]), int(text[13:15]),
            )  # fmt: skip
            return DateTimeValue(wall, utc=size == 16)
        match = _DATE_TIME_RE.fullmatch(text)
        if not match:
            return None
        year, month, day, hour, minute, second, zulu = match.groups()
        if hour is None or as_date:
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
    if len(text) > 64:
        return None
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
