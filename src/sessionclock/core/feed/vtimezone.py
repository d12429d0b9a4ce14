"""Zones a feed defines itself (VTIMEZONE): exact for any date, in time that does not grow with it.

A VTIMEZONE is a set of observances (STANDARD, DAYLIGHT), each with a first onset (DTSTART), the
offsets before and after (TZOFFSETFROM, TZOFFSETTO), and further onsets from an RRULE and RDATEs.
The offset at an instant is the TZOFFSETTO of the latest onset at or before it, across every
observance (RFC 5545, 3.6.5). Rules are expanded by ``dateutil.rrule`` (every RRULE form: BYDAY
with ordinals, BYMONTHDAY lists, BYYEARDAY, BYWEEKNO, BYSETPOS, INTERVAL, COUNT, UNTIL in UTC or
local time), but never from their first onset: a rule that started in 1601 is started again a
whole number of periods before the span looked up, which yields the same onsets there. The latest
onset before a span is found by looking back twice as far each time, so a rule that ended years
earlier is still found. Onsets are computed per span of three years and kept for the one feed.

Local times that do not exist (the spring-forward gap) are read with the offset before the gap, and
repeated local times (the fall-back overlap) mean their first occurrence (RFC 5545, 3.3.5).
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from sessionclock.core.feed.parser import Line, decode, parse_line, prepare, scan

if TYPE_CHECKING:
    from dateutil.rrule import rrule

MAX_FIXED_ONSETS = 10_000
"""More DTSTART/RDATE onsets than this in one zone (real ones have a few hundred) is not a zone."""
_MAX_RULE_ONSETS = 20_000
_PROBE_PERIODS = 60
_NEAR = timedelta(hours=26)
_NEAR_LIMIT = 64
_EARLIEST = datetime.min  # noqa: DTZ901 - naive, like every onset here
_LATEST = datetime.max  # noqa: DTZ901

_OFFSET_RE = re.compile(r"([+-])(\d{2})(\d{2})(\d{2})?")
_DT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?(Z)?", re.I)
_BYDAY_RE = re.compile(r"[+-]?(?:[1-9]|[1-4]\d|5[0-3])?(?:MO|TU|WE|TH|FR|SA|SU)")
_WEEKDAYS = frozenset({"MO", "TU", "WE", "TH", "FR", "SA", "SU"})
_FREQUENCIES = frozenset({"YEARLY", "MONTHLY", "WEEKLY", "DAILY"})
_LIST_RANGES = {
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYHOUR": (0, 23, False),
    "BYMINUTE": (0, 59, False),
    "BYSECOND": (0, 59, False),
    "BYSETPOS": (1, 366, True),
}


def parse_offset(text: str) -> timedelta | None:
    """Return the UTC offset in ``+HHMM`` or ``+HHMMSS`` form, or None when it is not one."""
    match = _OFFSET_RE.fullmatch(text.strip())
    if not match:
        return None
    sign, hours, minutes, seconds = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or (seconds and int(seconds) > 59):
        return None
    delta = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    return -delta if sign == "-" else delta


def _parse_moment(text: str) -> tuple[datetime, bool] | None:
    """Return (naive date-time, is UTC) for ``YYYYMMDD[THHMM[SS]][Z]``; a date is its midnight."""
    match = _DT_RE.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zulu = match.groups()
    try:
        moment = datetime(  # noqa: DTZ001 - a wall time or a UTC time, said by the flag
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    return moment, zulu is not None


def _valid_list(key: str, value: str) -> bool:
    if key == "BYDAY":
        return all(_BYDAY_RE.fullmatch(item) for item in value.split(","))
    if key == "WKST":
        return value in _WEEKDAYS
    low, high, signed = _LIST_RANGES[key]
    try:
        numbers = [int(item) for item in value.split(",")]
    except ValueError:
        return False
    # Signed lists count from the end with negative numbers; zero is never one of them.
    return all(low <= (abs(n) if signed else n) <= high for n in numbers)


class _Rule:
    """The onsets of one observance's RRULE, as local wall times in its TZOFFSETFROM."""

    def __init__(
        self,
        rule: rrule,
        *,
        start: datetime,
        until: datetime | None,
        count: int | None,
        frequency: str,
        interval: int,
        materialised: bool,
    ) -> None:
        self._rule = rule
        self._start = start
        self._until = until
        self._frequency = frequency
        self._interval = interval
        # A monthly rule from the 29th to the 31st moves in whole years, so the day exists.
        self._grid = 1
        if frequency == "MONTHLY" and start.day > 28:
            self._grid = 12 // math.gcd(12, interval)
        self._all: list[datetime] | None = None
        if materialised:
            self._all = list(itertools.islice(rule, _MAX_RULE_ONSETS))
            if count is not None and self._all and self._all[0] != start:
                # RFC 5545 counts DTSTART as the first occurrence even when it does not fit the
                # rule (it is an onset of its own here); dateutil does not.
                del self._all[count - 1 :]

    @classmethod
    def parse(cls, text: str, *, start: datetime, offset_from: timedelta) -> _Rule | None:
        """Return the rule *text* for an observance starting at *start*, or None if unusable."""
        # Imported here: only feeds that define their own zones with rules need it.
        from dateutil import rrule as rrules

        parts: dict[str, str] = {}
        for item in "".join(text.split()).upper().split(";"):
            key, _, value = item.partition("=")
            if key and value and key not in parts:
                parts[key] = value.strip(",")
        frequency = parts.get("FREQ", "")
        if frequency not in _FREQUENCIES:
            return None
        try:
            interval = int(parts.get("INTERVAL", "1"))
            count = int(parts["COUNT"]) if "COUNT" in parts else None
        except ValueError:
            return None
        if not 1 <= interval <= 1000 or (count is not None and count < 1):
            return None
        rule_parts = [f"FREQ={frequency}", f"INTERVAL={interval}"]
        for key, value in parts.items():
            if key in _LIST_RANGES or key in ("BYDAY", "WKST"):
                if not _valid_list(key, value):
                    return None
                rule_parts.append(f"{key}={value}")
        until: datetime | None = None
        if "UNTIL" in parts:
            moment = _parse_moment(parts["UNTIL"])
            if moment is None:
                return None
            until, is_utc = moment
            if is_utc:
                # Onsets are wall times before the change: in UTC they are onset - TZOFFSETFROM.
                until += offset_from
            elif "T" not in parts["UNTIL"].upper():
                until += timedelta(days=1, microseconds=-1)  # a DATE includes its whole day
        try:
            rule = rrules.rrulestr(";".join(rule_parts), dtstart=start)
            if not isinstance(rule, rrules.rrule):
                return None
            if until is not None:
                rule = rule.replace(until=until)
            elif count is not None:
                rule = rule.replace(count=min(count, _MAX_RULE_ONSETS))
        except (ValueError, OverflowError):
            return None
        # A rule is started again closer to the span looked up, a whole number of periods on; that
        # cannot be done when COUNT counts from the first onset, nor from 29 February. Those rules
        # are expanded once (they are bounded).
        shiftable = count is None and (start.month, start.day) != (2, 29)
        made = cls(
            rule,
            start=start,
            until=until,
            count=count,
            frequency=frequency,
            interval=interval,
            materialised=not shiftable,
        )
        return made if made._yields() else None

    def _yields(self) -> bool:
        """Return whether the rule has an onset within its first periods (else it never will)."""
        if self._all is not None:
            return bool(self._all)
        horizon = self._shift(self._start, _PROBE_PERIODS)
        bound = horizon if self._until is None else min(horizon, self._until)
        if bound < self._start:
            return False
        return next(iter(self._rule.replace(until=bound)), None) is not None

    def _shift(self, moment: datetime, periods: int) -> datetime:
        """Return *moment* moved by *periods* whole periods of the rule (may be negative)."""
        step = periods * self._interval
        try:
            if self._frequency == "YEARLY":
                return moment.replace(year=moment.year + step)
            if self._frequency == "MONTHLY":
                months = moment.year * 12 + moment.month - 1 + step
                return moment.replace(year=months // 12, month=months % 12 + 1)
            days = step * 7 if self._frequency == "WEEKLY" else step
            return moment + timedelta(days=days)
        except (ValueError, OverflowError):
            return _LATEST if periods > 0 else self._start

    def _periods_between(self, earlier: datetime, later: datetime) -> int:
        """Return how many whole periods of the rule lie between two moments (a lower bound)."""
        if self._frequency == "YEARLY":
            units = later.year - earlier.year - 1
        elif self._frequency == "MONTHLY":
            units = (later.year - earlier.year) * 12 + later.month - earlier.month - 1
        else:
            units = (later - earlier).days // (7 if self._frequency == "WEEKLY" else 1) - 1
        return max(units // self._interval, 0)

    def _restart_before(self, moment: datetime, periods: int) -> datetime:
        """Return a start at least *periods* periods before *moment*, on the rule's own grid."""
        if moment <= self._start:
            return self._start
        whole = self._periods_between(self._start, moment) - periods
        whole -= whole % self._grid
        return self._start if whole <= 0 else self._shift(self._start, whole)

    def _onsets(self, start: datetime, until: datetime) -> list[datetime]:
        bound = until if self._until is None else min(until, self._until)
        if bound < start:
            return []
        return list(self._rule.replace(dtstart=start, until=bound))

    def between(self, low: datetime, high: datetime) -> list[datetime]:
        """Return the onsets in [low, high)."""
        if self._all is not None:
            first, last = bisect.bisect_left(self._all, low), bisect.bisect_left(self._all, high)
            return self._all[first:last]
        found = self._onsets(self._restart_before(low, 1), high)
        return [onset for onset in found if low <= onset < high]

    def last_before(self, moment: datetime) -> datetime | None:
        """Return the latest onset before *moment*, however long ago it was."""
        if self._all is not None:
            index = bisect.bisect_left(self._all, moment)
            return self._all[index - 1] if index else None
        periods = 2
        while True:
            start = self._restart_before(moment, periods)
            found = [o for o in self._onsets(start, moment) if o < moment]
            if found:
                return found[-1]
            if start <= self._start:
                return None
            periods *= 2


@dataclass(frozen=True, slots=True)
class _Observance:
    start: datetime
    offset_from: timedelta
    offset_to: timedelta
    rule: _Rule | None
    fixed: tuple[datetime, ...]  # further onsets (RDATE), in UTC


_Transition = tuple[datetime, timedelta, timedelta]  # (UTC instant, offset before, offset after)


class VTimezone:
    """A zone defined by a VTIMEZONE block of one feed.

    Build it with :func:`zone_from_lines` or :func:`parse_vtimezone`; use one per feed.
    """

    def __init__(self, observances: Sequence[_Observance]) -> None:
        if not observances:
            raise ValueError("a time zone needs at least one observance")
        fixed: list[_Transition] = []
        for obs in observances:
            fixed.append((obs.start - obs.offset_from, obs.offset_from, obs.offset_to))
            fixed.extend((utc, obs.offset_from, obs.offset_to) for utc in obs.fixed)
        fixed.sort()
        self._fixed = fixed
        self._fixed_keys = [item[0] for item in fixed]
        self._ruled = tuple(obs for obs in observances if obs.rule is not None)
        self._initial = fixed[0][1]
        self._spans: dict[int, tuple[list[datetime], list[_Transition]]] = {}

    def _span(self, year: int) -> tuple[list[datetime], list[_Transition]]:
        """Return the transitions from 1 January of year - 1 to that of year + 2, and the last
        one before (so that the offset anywhere in that span can be read off)."""
        cached = self._spans.get(year)
        if cached is not None:
            return cached
        low = datetime(max(year - 1, 1), 1, 1)  # noqa: DTZ001 - UTC, naive like the onsets
        high = datetime(year + 2, 1, 1) if year + 2 <= 9999 else _LATEST  # noqa: DTZ001
        first = bisect.bisect_left(self._fixed_keys, low)
        last = bisect.bisect_left(self._fixed_keys, high)
        items = self._fixed[max(first - 1, 0) : last]
        for obs in self._ruled:
            assert obs.rule is not None
            local_low, local_high = _moved(low, obs.offset_from), _moved(high, obs.offset_from)
            onsets = obs.rule.between(local_low, local_high)
            before = obs.rule.last_before(local_low)
            if before is not None:
                onsets.append(before)
            items.extend((on - obs.offset_from, obs.offset_from, obs.offset_to) for on in onsets)
        items.sort()
        made = ([item[0] for item in items], items)
        self._spans[year] = made
        return made

    def _offset_at(
        self, utc: datetime, keys: list[datetime], items: list[_Transition]
    ) -> timedelta:
        index = bisect.bisect_right(keys, utc) - 1
        return items[index][2] if index >= 0 else self._initial

    def localize(self, local: datetime) -> datetime:
        """Return the instant of the wall time *local* in this zone (RFC 5545 gap/fold rules)."""
        keys, items = self._span(local.year)
        first = bisect.bisect_right(keys, local - _NEAR)
        last = min(bisect.bisect_right(keys, local + _NEAR), first + _NEAR_LIMIT)
        near = items[first:last]
        candidates = {self._offset_at(local - _NEAR, keys, items)}
        candidates.update(item[2] for item in near)
        valid = [o for o in candidates if self._offset_at(local - o, keys, items) == o]
        if valid:
            utc = local - max(valid)  # an overlap means its first occurrence
        else:
            # In a gap: read with the offset before the change, which moves the wall time
            # forward by the length of the gap.
            utc = local - self._offset_at(local - _NEAR, keys, items)
            for moment, before, after in near:
                if moment + before <= local < moment + after:
                    utc = local - before
        offset = self._offset_at(utc, keys, items)
        return (utc + offset).replace(tzinfo=timezone(offset))


def _moved(moment: datetime, offset: timedelta) -> datetime:
    """Return *moment* + *offset*, held at the ends of the calendar."""
    try:
        return moment + offset
    except OverflowError:
        return _LATEST if offset > timedelta() else _EARLIEST


def _observance(props: dict[bytes, list[Line]]) -> _Observance | None:
    def text(name: bytes) -> str | None:
        lines = props.get(name)
        if not lines:
            return None
        parsed = parse_line(decode(lines[0].raw), value_has_no_colon=name != b"RRULE")
        return None if parsed is None else parsed.value

    start_text, to_text = text(b"DTSTART"), text(b"TZOFFSETTO")
    if start_text is None or to_text is None:
        return None
    moment = _parse_moment(start_text)
    offset_to = parse_offset(to_text)
    if moment is None or offset_to is None:
        return None
    from_text = text(b"TZOFFSETFROM")
    offset_from = parse_offset(from_text) if from_text is not None else None
    if offset_from is None:
        offset_from = offset_to
    start = moment[0] + offset_from if moment[1] else moment[0]
    rule = None
    rule_text = text(b"RRULE")
    if rule_text is not None and len(rule_text) < 1000:
        rule = _Rule.parse(rule_text, start=start, offset_from=offset_from)
    fixed: list[datetime] = []
    for line in props.get(b"RDATE", []):
        parsed = parse_line(decode(line.raw), value_has_no_colon=True)
        if parsed is None:
            continue
        for item in parsed.value.split(","):
            # VALUE=PERIOD gives start/end or start/duration: the onset is the start.
            found = _parse_moment(item.split("/")[0])
            if found is not None:
                onset, is_utc = found
                fixed.append(onset if is_utc else onset - offset_from)
            if len(fixed) > MAX_FIXED_ONSETS:
                raise ValueError("too many onsets")
    return _Observance(start, offset_from, offset_to, rule, tuple(fixed))


def zone_from_lines(lines: Iterable[Line]) -> tuple[str, VTimezone] | None:
    """Return (TZID as written, zone) from the scanned lines of one VTIMEZONE block, or None.

    Observances that cannot be read (bad offsets such as iCloud's ``+5328``, unusable rules) are
    dropped; the zone is None only when no usable observance is left.

    Raises:
        ValueError: the block is far larger than any real zone (too many observances or onsets).
    """
    tzid: str | None = None
    observances: list[_Observance] = []
    current: dict[bytes, list[Line]] | None = None
    depth = 0
    onsets = 0
    for line in lines:
        if line.name == b"BEGIN":
            depth += 1
            kind = line.component
            current = {} if depth == 1 and kind in (b"STANDARD", b"DAYLIGHT") else None
        elif line.name == b"END":
            depth = max(depth - 1, 0)
            if depth == 0 and current is not None:
                obs = _observance(current)
                if obs is not None:
                    observances.append(obs)
                    onsets += 1 + len(obs.fixed)
                if onsets > MAX_FIXED_ONSETS:
                    raise ValueError("too many onsets")
            current = None
        elif depth == 0:
            if line.name == b"TZID" and tzid is None:
                parsed = parse_line(decode(line.raw))
                tzid = None if parsed is None else parsed.value
        elif current is not None and depth == 1:
            current.setdefault(line.name, []).append(line)
    if tzid is None or not observances:
        return None
    return tzid, VTimezone(observances)


def parse_vtimezone(text: str) -> tuple[str, VTimezone] | None:
    """Return (TZID, zone) for the lines of one VTIMEZONE block given as text (BEGIN/END of the
    block itself left out)."""
    return zone_from_lines(scan(prepare(text.encode("utf-8"))))
