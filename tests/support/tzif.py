"""Published zone definitions as VTIMEZONE text: tzdb's compiled files, turned into test feeds.

``read_tzif`` reads a zone's transitions and its POSIX rule (RFC 8536) from the ``tzdata`` package;
``vtimezone`` writes them as a VTIMEZONE in one of the shapes real feeds use: one observance per
transition (tzurl's full history), yearly rules with BYDAY (``2SU``, ``-1SU``), the same rules as
BYDAY with a BYMONTHDAY list ("the Sunday on or after the 8th"), and rules stopped by an UNTIL in
UTC and started again.
"""

from __future__ import annotations

import calendar
import io
import re
import struct
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources

_POSIX_RE = re.compile(
    r"(?P<std><[^>]+>|[A-Za-z]{3,})(?P<stdoff>[+-]?\d{1,2}(?::\d{2}){0,2})"
    r"(?:(?P<dst><[^>]+>|[A-Za-z]{3,})(?P<dstoff>[+-]?\d{1,2}(?::\d{2}){0,2})?"
    r",M(?P<sm>\d+)\.(?P<sw>\d)\.(?P<sd>\d)(?:/(?P<st>[+-]?\d+(?::\d{2}){0,2}))?"
    r",M(?P<em>\d+)\.(?P<ew>\d)\.(?P<ed>\d)(?:/(?P<et>[+-]?\d+(?::\d{2}){0,2}))?)?"
)
_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # POSIX counts from Sunday


@dataclass(frozen=True)
class Rule:
    """A POSIX yearly rule: the w-th (5 = last) weekday d (0 = Sunday) of month m at a local time.

    Attributes:
        month: 1 to 12.
        week: 1 to 5.
        weekday: 0 (Sunday) to 6.
        time: the local time of the change, in the offset before it.
    """

    month: int
    week: int
    weekday: int
    time: timedelta

    def onset(self, year: int) -> datetime:
        """Return the local wall time of the change in *year*."""
        days = calendar.monthrange(year, self.month)[1]
        sundays_first = [
            day
            for day in range(1, days + 1)
            if (calendar.weekday(year, self.month, day) + 1) % 7 == self.weekday
        ]
        day = sundays_first[-1] if self.week == 5 else sundays_first[self.week - 1]
        return datetime(year, self.month, day) + self.time  # noqa: DTZ001 - a wall time

    def byday(self) -> str:
        """Return the rule's BYDAY part, with an ordinal (``2SU``, ``-1SU``)."""
        return f"{-1 if self.week == 5 else self.week}{_DAYS[self.weekday]}"

    def bymonthday(self) -> str:
        """Return the rule as BYDAY plus a BYMONTHDAY list ("the Sunday among days 8 to 14")."""
        if self.week == 5:
            days = ",".join(str(-n) for n in range(7, 0, -1))
        else:
            days = ",".join(str(n) for n in range((self.week - 1) * 7 + 1, self.week * 7 + 1))
        return f"{_DAYS[self.weekday]};BYMONTHDAY={days}"


@dataclass(frozen=True)
class Tzif:
    """What a compiled tzdb zone says.

    Attributes:
        name: the tzdb name.
        initial: the UTC offset before the first transition.
        transitions: (UTC instant, offset before, offset after) of each change of offset.
        last_written: the last transition the file writes out (also one that changes only the
            zone's name); the POSIX rule applies after it.
        standard: the POSIX rule's standard offset (None without a usable rule).
        daylight: its daylight offset.
        to_daylight: when daylight time starts.
        to_standard: when it ends.
    """

    name: str
    initial: timedelta
    transitions: tuple[tuple[datetime, timedelta, timedelta], ...]
    last_written: datetime | None = None
    standard: timedelta | None = None
    daylight: timedelta | None = None
    to_daylight: Rule | None = None
    to_standard: Rule | None = None


def _seconds(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")]
    parts += [0] * (3 - len(parts))
    return sign * timedelta(hours=parts[0], minutes=parts[1], seconds=parts[2])


def _tzif_bytes(name: str) -> bytes:
    return resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()


def tzdb_zone(name: str) -> zoneinfo.ZoneInfo:
    """Return the zone *name* built from the same file :func:`read_tzif` reads (the ``tzdata``
    package), whatever the system's own copy of tzdb says."""
    return zoneinfo.ZoneInfo.from_file(io.BytesIO(_tzif_bytes(name)), key=name)


def read_tzif(name: str) -> Tzif:
    """Read the transitions and POSIX rule of the tzdb zone *name* (RFC 8536, version 2+)."""
    data = _tzif_bytes(name)
    counts = struct.unpack(">6l", data[20:44])
    isut, isstd, leap, times, types, chars = counts
    position = 44 + times * 5 + types * 6 + chars + leap * 8 + isstd + isut
    isut, isstd, leap, times, types, chars = struct.unpack(
        ">6l", data[position + 20 : position + 44]
    )
    position += 44
    instants = struct.unpack(f">{times}q", data[position : position + times * 8])
    position += times * 8
    indexes = data[position : position + times]
    position += times
    offsets = [
        timedelta(seconds=struct.unpack(">lBB", data[position + 6 * i : position + 6 * i + 6])[0])
        for i in range(types)
    ]
    position += types * 6 + chars + leap * 12 + isstd + isut
    footer = data[position:].strip(b"\n").decode("ascii")
    initial = offsets[0]
    transitions = []
    before = initial
    for instant, index in zip(instants, indexes, strict=True):
        after = offsets[index]
        if after != before:
            moment = datetime(1970, 1, 1) + timedelta(seconds=instant)  # noqa: DTZ001 - UTC
            transitions.append((moment, before, after))
        before = after
    last = datetime(1970, 1, 1) + timedelta(seconds=instants[-1]) if instants else None  # noqa: DTZ001
    match = _POSIX_RE.fullmatch(footer)
    if match is None or match.group("dst") is None:
        return Tzif(name, initial, tuple(transitions), last)
    standard = -_seconds(match.group("stdoff"))
    daylight = (
        -_seconds(match.group("dstoff")) if match.group("dstoff") else standard + timedelta(hours=1)
    )

    def rule(prefix: str) -> Rule:
        time = match.group(f"{prefix}t")
        return Rule(
            int(match.group(f"{prefix}m")),
            int(match.group(f"{prefix}w")),
            int(match.group(f"{prefix}d")),
            _seconds(time) if time else timedelta(hours=2),
        )

    return Tzif(name, initial, tuple(transitions), last, standard, daylight, rule("s"), rule("e"))


def rule_start(zone: Tzif) -> datetime | None:
    """Return the instant (UTC) from which the POSIX rule gives every change of offset, or None.

    None also when a change happens at 24:00 or later, or before 00:00, of its day (Egypt's
    "last Thursday at 24:00"): a DTSTART cannot say that with the same BYDAY.
    """
    rules = (zone.to_daylight, zone.to_standard)
    if rules[0] is None or rules[1] is None:
        return None
    if not all(timedelta() <= r.time < timedelta(days=1) for r in rules if r is not None):
        return None
    assert zone.standard is not None and zone.daylight is not None
    predicted = {}
    for year in range(1900, 2038):
        predicted[rules[0].onset(year) - zone.standard] = (zone.standard, zone.daylight)
        predicted[rules[1].onset(year) - zone.daylight] = (zone.daylight, zone.standard)
    last = zone.last_written or datetime(1900, 1, 1)  # noqa: DTZ001 - UTC
    start = last + timedelta(seconds=1)
    for moment, before, after in reversed(zone.transitions):
        if predicted.get(moment) != (before, after):
            break
        start = moment
    # Every change the rule predicts from there on must be written too (no year skipped).
    written = {moment for moment, _, _ in zone.transitions}
    missing = [p for p in predicted if start <= p <= last and p not in written]
    if missing:
        later = [moment for moment in written if moment > max(missing)]
        start = min(later) if later else last + timedelta(seconds=1)
    return start


def _offset(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _observance(
    kind: str, start: datetime, before: timedelta, after: timedelta, extra: str = ""
) -> str:
    return (
        f"BEGIN:{kind}\r\nDTSTART:{start:%Y%m%dT%H%M%S}\r\nTZOFFSETFROM:{_offset(before)}\r\n"
        f"TZOFFSETTO:{_offset(after)}\r\n{extra}END:{kind}\r\n"
    )


def vtimezone(zone: Tzif, tzid: str, *, shape: str) -> str:
    """Return *zone* as a VTIMEZONE named *tzid*.

    Args:
        zone: the zone as read by :func:`read_tzif`.
        tzid: the TZID to give it (not a tzdb name, so that the feed's own definition is used).
        shape: ``history`` (one observance per transition, as tzurl writes), ``byday``,
            ``bymonthday`` or ``until`` (rules from the year the POSIX rule starts, with the
            transitions before it as history; ``until`` stops the rules ten years on with an
            UNTIL in UTC and starts them again), or ``exchange`` (the rules alone, from
            1 January 1601, as Exchange and Outlook write them: right only from the year the
            rules start).
    """
    rules_from = rule_start(zone) if shape != "history" else None
    if shape != "history" and rules_from is None:
        raise ValueError(f"{zone.name} has no yearly rule")
    parts = [f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n"]
    kept = 0
    for moment, before, after in zone.transitions:
        if shape == "exchange" or (rules_from is not None and moment >= rules_from):
            break
        kind = "DAYLIGHT" if after > before else "STANDARD"
        parts.append(_observance(kind, moment + before, before, after))
        kept += 1
    if not kept and shape != "exchange":
        parts.append(_observance("STANDARD", datetime(1800, 1, 1), zone.initial, zone.initial))  # noqa: DTZ001
    if rules_from is not None:
        assert zone.standard is not None and zone.daylight is not None
        assert zone.to_daylight is not None and zone.to_standard is not None
        for kind, rule, before, after in (
            ("DAYLIGHT", zone.to_daylight, zone.standard, zone.daylight),
            ("STANDARD", zone.to_standard, zone.daylight, zone.standard),
        ):
            by = rule.bymonthday() if shape == "bymonthday" else rule.byday()
            text = f"RRULE:FREQ=YEARLY;BYMONTH={rule.month};BYDAY={by}"
            year = max(rules_from.year - 1, 1900)
            while rule.onset(year) - before < rules_from:
                year += 1
            first = rule.onset(year)
            if shape == "exchange":
                first = datetime(1601, 1, 1) + rule.time  # noqa: DTZ001 - a wall time
            if shape != "until":
                parts.append(_observance(kind, first, before, after, f"{text}\r\n"))
                continue
            last = rule.onset(year + 10) - before
            parts.append(
                _observance(kind, first, before, after, f"{text};UNTIL={last:%Y%m%dT%H%M%SZ}\r\n")
            )
            parts.append(_observance(kind, rule.onset(year + 11), before, after, f"{text}\r\n"))
    parts.append("END:VTIMEZONE\r\n")
    return "".join(parts)


def sample_times(zone: Tzif, years: Sequence[int]) -> list[datetime]:
    """Return wall times worth checking in *years*: the 1st of each month at noon, and times
    around each change of offset (just before, in the gap or overlap, just after)."""
    times = [
        datetime(year, month, 1, 12)  # noqa: DTZ001 - a wall time
        for year in years
        for month in range(1, 13, 3)
    ]
    wanted = set(years)
    changes = [(moment + before) for moment, before, _ in zone.transitions]
    if zone.to_daylight is not None and zone.to_standard is not None:
        changes += [
            rule.onset(year) for year in wanted for rule in (zone.to_daylight, zone.to_standard)
        ]
    for change in changes:
        if change.year in wanted:
            times += [change + timedelta(minutes=m) for m in (-61, -1, 0, 29, 61, 121)]
    return sorted(set(times))


def utc(moment: datetime) -> datetime:
    """Return an aware *moment* in UTC."""
    return moment.astimezone(UTC)
