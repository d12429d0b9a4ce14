"""Feeds for the feed benchmarks, generated in memory (nothing is read from disk), and their timer.

``generate_feed`` writes a Google-style feed of realistic events; ``nested_feed`` and
``unclosed_feed`` write the hostile shapes that once made the import quadratic, ``deep_feed`` one
that stops a window's events from being passed over; ``busy_zone_feed`` writes a feed whose own
time zone has thousands of offsets.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

_VTIMEZONE = """BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
X-LIC-LOCATION:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""

_FIRST = ["Alex", "Sam", "Jordan", "Maria", "Jürgen", "Zoë", "Li", "Ana", "Noah", "Chloé"]
_LAST = ["Smith", "Müller", "García", "Nguyen", "O'Brien", "Dubois", "Rossi", "Kowalski"]
_KINDS = ["Massage 60", "Massage 90", "Deep tissue", "Prenatal", "Sports massage"]


def _fold(line: str) -> str:
    data = line.encode()
    if len(data) <= 75:
        return line + "\r\n"
    parts: list[str] = []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    parts.append(data.decode())
    return "\r\n ".join(parts) + "\r\n"


def generate_feed(count: int = 10_000, *, seed: int = 3) -> bytes:
    """Return a Google-style feed of *count* events spread over 2019-2027 (about 5 MB)."""
    rng = random.Random(seed)
    out = [
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Clinic\r\n"
        "X-WR-TIMEZONE:Europe/Berlin\r\n",
        _VTIMEZONE,
    ]
    first_day = date(2019, 1, 1)
    span_days = (date(2027, 12, 31) - first_day).days
    for index in range(count):
        day = first_day + timedelta(days=rng.randrange(span_days))
        start = datetime(  # noqa: DTZ001 - a wall time in Europe/Berlin
            day.year, day.month, day.day, rng.randrange(7, 20), rng.choice([0, 15, 30, 45])
        )
        length = timedelta(minutes=rng.choice([30, 45, 60, 90]))
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}\\, {rng.choice(_KINDS)}"
        kind = rng.random()
        lines = ["BEGIN:VEVENT"]
        if kind < 0.04:
            lines += [
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            ]
        elif kind < 0.24:
            utc_start = start.replace(tzinfo=BERLIN).astimezone(UTC)
            lines += [
                f"DTSTART:{utc_start:%Y%m%dT%H%M%SZ}",
                f"DTEND:{utc_start + length:%Y%m%dT%H%M%SZ}",
            ]
        else:
            lines += [
                f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID=Europe/Berlin:{start + length:%Y%m%dT%H%M%S}",
            ]
        if 0.24 <= kind < 0.29:
            lines.append("RRULE:FREQ=WEEKLY;WKST=MO;UNTIL=20301231T000000Z;BYDAY=MO")
        lines += [
            "DTSTAMP:20250101T000000Z",
            f"UID:{rng.getrandbits(64):016x}{index}@google.com",
            "DESCRIPTION:Notes: medium pressure\\, left shoulder. Phone +1 555 01"
            f"{index % 100:02d}. https://zoom.us/j/{rng.getrandbits(40)}",
            f"LOCATION:Treatment room {rng.randrange(1, 5)}\\, 12 Example Street\\, Berlin",
            "STATUS:CANCELLED" if 0.29 <= kind < 0.32 else "STATUS:CONFIRMED",
            f"SUMMARY:{name}",
            f"ATTENDEE;PARTSTAT=ACCEPTED;CN=client{index}:mailto:client{index}@example.com",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "DESCRIPTION:This is an event reminder",
            "TRIGGER:-P0DT0H30M0S",
            "END:VALARM",
            "END:VEVENT",
        ]
        out.extend(_fold(line) for line in lines)
    out.append("END:VCALENDAR\r\n")
    return "".join(out).encode()


# Both hostile shapes close one event at the very end: a reader that looks ahead from each BEGIN
# for its END reads to the end of the feed again for every event (quadratic).
_CLOSING = b"END:VEVENT\r\nEND:VCALENDAR\r\n"


def nested_feed(size: int) -> bytes:
    """Return about *size* bytes of events that each open an alarm inside the last one."""
    unit = b"BEGIN:VEVENT\r\nSUMMARY:Nested\r\nBEGIN:VALARM\r\nTRIGGER:-PT15M\r\n"
    return b"BEGIN:VCALENDAR\r\n" + unit * (size // len(unit)) + _CLOSING


def _events_a_day_apart(head: bytes, size: int, *, name: str, rest: str) -> bytes:
    """Return *head*, then events a day apart from 1 January 2000, each called *name* and its
    number and ending with the lines *rest*, up to about *size* bytes in all."""
    first = datetime(2000, 1, 1, 9, tzinfo=UTC)
    out = [head]
    total = len(head)
    day = 0
    while total < size:
        start = first + timedelta(days=day)
        piece = (
            f"BEGIN:VEVENT\r\nSUMMARY:{name} {day}\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n{rest}"
        ).encode()
        out.append(piece)
        total += len(piece)
        day += 1
    return b"".join(out)


def unclosed_feed(size: int) -> bytes:
    """Return about *size* bytes of events, a day apart, of which only the last is closed."""
    rest = "DURATION:PT1H\r\nDESCRIPTION:never closed\r\n"
    return _events_a_day_apart(b"BEGIN:VCALENDAR\r\n", size, name="Unclosed", rest=rest) + _CLOSING


def deep_feed(size: int) -> bytes:
    """Return about *size* bytes of plain events, a day apart, inside 98 components left open:
    too deep for them to be passed over, so each one is read."""
    head = b"BEGIN:VCALENDAR\r\n" + b"BEGIN:X-DEEP\r\n" * 98
    rest = "DURATION:PT1H\r\nEND:VEVENT\r\n"
    return _events_a_day_apart(head, size, name="Deep", rest=rest) + b"END:VCALENDAR\r\n"


def busy_zone_feed(offsets: int, events: int = 2_000) -> bytes:
    """Return a feed whose own zone changes offset *offsets* times (a day apart), with events
    spread over those days."""
    first = datetime(2000, 1, 1)  # noqa: DTZ001 - a wall time in the feed's own zone
    observances = "".join(
        f"BEGIN:{'DAYLIGHT' if i % 2 else 'STANDARD'}\r\n"
        f"DTSTART:{first + timedelta(days=i):%Y%m%dT%H%M%S}\r\n"
        f"TZOFFSETFROM:{'+0100' if i % 2 else '+0200'}\r\n"
        f"TZOFFSETTO:{'+0200' if i % 2 else '+0100'}\r\n"
        f"END:{'DAYLIGHT' if i % 2 else 'STANDARD'}\r\n"
        for i in range(offsets)
    )
    starts = (first + timedelta(days=i * offsets // events, hours=10) for i in range(events))
    body = "".join(
        f"BEGIN:VEVENT\r\nSUMMARY:Client {i}\r\nDTSTART;TZID=Busy zone:{start:%Y%m%dT%H%M%S}\r\n"
        "DURATION:PT1H\r\nEND:VEVENT\r\n"
        for i, start in enumerate(starts)
    )
    return (
        f"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Busy zone\r\n{observances}END:VTIMEZONE\r\n"
        f"{body}END:VCALENDAR\r\n"
    ).encode()


def best_cpu_seconds(run: Callable[[], object], runs: int) -> float:
    """Return the shortest CPU time (this process) of *runs* calls of *run*."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best
