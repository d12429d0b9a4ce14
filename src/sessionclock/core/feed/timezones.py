"""Turn the TZID of a feed into a zone, and local wall times into real instants.

Only tzdb and the CLDR Windows mapping are global data. Everything a feed defines itself (its
VTIMEZONE blocks) lives in a :class:`ZoneResolver` made for that one feed and dropped with it, so a
"Customized Time Zone" of one practitioner's feed can never leak into the next feed.

Local times that do not exist (the spring-forward gap) are shifted forward by the length of the gap,
and repeated local times (the fall-back overlap) mean their first occurrence (RFC 5545, 3.3.5).
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from importlib import resources
from typing import Protocol

from sessionclock.core.feed.parser import ContentLine, parse_line

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_NUMBERED_DUPLICATE_RE = re.compile(r"\s+\d{1,2}$")
_DISPLAY_PREFIX_RE = re.compile(r"^\((?:UTC|GMT)\s*(?:[+-]\s*\d{1,2}(?::?\d{2})?)?\)\s*", re.I)
_OFFSET_RE = re.compile(r"([+-])(\d{2})(\d{2})(\d{2})?")
_DT_RE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?Z?", re.I)
_BYDAY_RE = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)", re.I)
_WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_UTC_NAMES = frozenset({"utc", "z", "gmt", "etc/utc", "etc/gmt", "universal", "zulu", "uct"})


class Zone(Protocol):
    """Something that turns a local wall time into an aware instant."""

    def localize(self, local: datetime) -> datetime:
        """Return the real instant of the naive wall time *local* (RFC 5545 gap/fold rules)."""
        ...


@dataclass(frozen=True, slots=True)
class TzinfoZone:
    """A zone backed by a tzinfo (tzdb, UTC or the practitioner's own zone).

    Attributes:
        tz: the zone; fold=0 gives RFC 5545 behaviour for gaps and overlaps (PEP 495).
    """

    tz: tzinfo

    def localize(self, local: datetime) -> datetime:
        """Return the instant of *local* in this zone, normalised to a wall time that exists."""
        aware = local.replace(tzinfo=self.tz, fold=0)
        return aware.astimezone(UTC).astimezone(self.tz)


UTC_ZONE = TzinfoZone(UTC)


def clean_tzid(raw: str) -> str:
    """Return *raw* without NUL/control bytes, quotes, escapes and surrounding whitespace."""
    text = _CONTROL_RE.sub("", raw.replace("\t", " ")).strip().strip('"').strip()
    text = text.replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
    return " ".join(text.split())


@functools.cache
def _iana_names() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@functools.cache
def _windows_names() -> dict[str, str]:
    from tzlocal.windows_tz import win_tz

    return {name.casefold(): iana for name, iana in win_tz.items()}


@functools.cache
def _display_names() -> dict[str, str]:
    raw = resources.files("sessionclock.core").joinpath("data/windows_display_zones.json")
    table: dict[str, str] = json.loads(raw.read_text(encoding="utf-8"))
    return {key: value for key, value in table.items() if not key.startswith("_")}


@functools.cache
def _tzdb_zone(name: str) -> tzinfo:
    if name.casefold() in _UTC_NAMES:
        return UTC
    return zoneinfo.ZoneInfo(name)


def _normalise_label(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.casefold().replace("&", " and ").replace("'", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def iana_name(tzid: str) -> str | None:
    """Return the tzdb name *tzid* means, tolerating case, vendor prefixes and numbered copies.

    ``/freeassociation.sourceforge.net/Tzfile/Europe/Berlin``, ``/Europe/Stockholm``,
    ``Europe/lisbon``, ``Eastern Standard Time 1`` (Windows, see :func:`windows_iana_name`) are
    all understood. Only suffixes of the form Area/City are tried, so a stray word never matches.
    """
    names = _iana_names()
    candidates = [tzid, _NUMBERED_DUPLICATE_RE.sub("", tzid)]
    for candidate in candidates:
        stripped = candidate.strip("/ ")
        if not stripped:
            continue
        folded = stripped.casefold()
        if folded in _UTC_NAMES:
            return "UTC"
        if folded in names:
            return names[folded]
        parts = [part.strip() for part in stripped.split("/") if part.strip()]
        for index in range(1, len(parts) - 1):
            suffix = "/".join(parts[index:]).casefold()
            if suffix in names:
                return names[suffix]
    return None


def windows_iana_name(tzid: str) -> str | None:
    """Return the tzdb name for a Windows zone name (CLDR map) or an Outlook display name."""
    windows = _windows_names()
    for candidate in (tzid, _NUMBERED_DUPLICATE_RE.sub("", tzid)):
        hit = windows.get(candidate.strip().casefold())
        if hit:
            return hit
    label = _DISPLAY_PREFIX_RE.sub("", tzid)
    if not label:
        return None
    display = _display_names()
    whole = _normalise_label(label)
    if whole in display:
        return display[whole]
    first = _normalise_label(label.split(",")[0])
    return display.get(first)


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


def _parse_local(text: str) -> datetime | None:
    match = _DT_RE.fullmatch(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = match.groups()
    try:
        return datetime(  # noqa: DTZ001 - a wall time, localised by the zone that owns it
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _YearlyRule:
    months: tuple[int, ...]
    nth: int | None
    weekday: int | None
    monthday: int | None
    until: datetime | None
    last_year: int | None

    def onsets(self, year: int, start: datetime) -> Iterable[datetime]:
        if year < start.year or (self.last_year is not None and year > self.last_year):
            return
        for month in self.months:
            day = self._day(year, month)
            if day is None:
                continue
            onset = start.replace(year=year, month=month, day=day)
            if onset < start or (self.until is not None and onset > self.until):
                continue
            yield onset

    def _day(self, year: int, month: int) -> int | None:
        first = datetime(year, month, 1)  # noqa: DTZ001 - calendar arithmetic only
        days_in_month = ((first.replace(day=28) + timedelta(days=4)).replace(day=1) - first).days
        if self.weekday is None:
            if self.monthday is None:
                return None
            day = self.monthday if self.monthday > 0 else days_in_month + 1 + self.monthday
            return day if 1 <= day <= days_in_month else None
        candidates = [
            day
            for day in range(1, days_in_month + 1)
            if (first.weekday() + day - 1) % 7 == self.weekday
        ]
        if self.monthday is not None:
            candidates = [day for day in candidates if day == self.monthday]
        nth = self.nth or 1
        index = nth - 1 if nth > 0 else nth
        if -len(candidates) <= index < len(candidates):
            return candidates[index]
        return None


def _parse_yearly_rule(value: str, start: datetime) -> _YearlyRule | None:
    parts: dict[str, str] = {}
    for item in value.replace(" ", "").split(";"):
        key, _, item_value = item.partition("=")
        parts[key.upper()] = item_value
    if parts.get("FREQ", "").upper() != "YEARLY" or parts.get("INTERVAL", "1") not in ("", "1"):
        return None
    try:
        months = tuple(int(m) for m in parts.get("BYMONTH", str(start.month)).split(",") if m)
        monthday = int(parts["BYMONTHDAY"].split(",")[0]) if parts.get("BYMONTHDAY") else None
        count = int(parts["COUNT"]) if parts.get("COUNT") else None
    except ValueError:
        return None
    if not months or any(not 1 <= m <= 12 for m in months):
        return None
    nth: int | None = None
    weekday: int | None = None
    if parts.get("BYDAY"):
        match = _BYDAY_RE.fullmatch(parts["BYDAY"].split(",")[0])
        if not match:
            return None
        nth = int(match.group(1)) if match.group(1) else None
        weekday = _WEEKDAYS[match.group(2).upper()]
        if nth is not None and (nth == 0 or abs(nth) > 5):
            return None
    elif monthday is None:
        monthday = start.day
    until = _parse_local(parts["UNTIL"]) if parts.get("UNTIL") else None
    last_year = start.year + (count - 1) // len(months) if count else None
    return _YearlyRule(months, nth, weekday, monthday, until, last_year)


@dataclass(frozen=True, slots=True)
class _Observance:
    start: datetime
    offset_from: timedelta
    offset_to: timedelta
    rule: _YearlyRule | None
    rdates: tuple[datetime, ...]


@dataclass(frozen=True, slots=True, order=True)
class _Transition:
    utc: datetime
    offset_from: timedelta
    offset_to: timedelta


class VTimezone:
    """A zone defined by a VTIMEZONE block of one feed (STANDARD/DAYLIGHT observances).

    Supports what the current era needs: yearly BYMONTH/BYDAY (or BYMONTHDAY) rules with UNTIL or
    COUNT, and fixed transitions given by DTSTART and RDATE. Other rules are ignored; a zone keeps
    working from its remaining observances.
    """

    def __init__(self, observances: Iterable[_Observance]) -> None:
        self._observances = tuple(observances)
        if not self._observances:
            raise ValueError("a time zone needs at least one observance")
        fixed = []
        for obs in self._observances:
            for onset in (obs.start, *obs.rdates):
                fixed.append(_Transition(onset - obs.offset_from, obs.offset_from, obs.offset_to))
        self._fixed = sorted(fixed)
        self._ruled = tuple(obs for obs in self._observances if obs.rule is not None)
        self._by_year: dict[int, list[_Transition]] = {}

    def _transitions(self, year: int) -> list[_Transition]:
        cached = self._by_year.get(year)
        if cached is not None:
            return cached
        found = list(self._fixed)
        for obs in self._ruled:
            assert obs.rule is not None
            for rule_year in range(year - 2, year + 2):
                for onset in obs.rule.onsets(rule_year, obs.start):
                    found.append(
                        _Transition(onset - obs.offset_from, obs.offset_from, obs.offset_to)
                    )
        found.sort()
        self._by_year[year] = found
        return found

    def _offset_at(self, utc: datetime) -> timedelta:
        transitions = self._transitions(utc.year)
        index = bisect.bisect_right(transitions, utc, key=lambda t: t.utc)
        if index == 0:
            return transitions[0].offset_from
        return transitions[index - 1].offset_to

    def localize(self, local: datetime) -> datetime:
        """Return the instant of the wall time *local* in this zone (RFC 5545 gap/fold rules)."""
        transitions = self._transitions(local.year)
        offsets = {t.offset_to for t in transitions} | {transitions[0].offset_from}
        valid = [offset for offset in offsets if self._offset_at(local - offset) == offset]
        if valid:
            utc = local - max(valid)  # an overlap means its first occurrence
        else:
            # In a gap: read with the offset before the transition, which moves the wall
            # time forward by the length of the gap.
            utc = local - transitions[0].offset_from
            for transition in transitions:
                if transition.utc + transition.offset_from <= local:
                    utc = local - transition.offset_from
        offset = self._offset_at(utc)
        return (utc + offset).replace(tzinfo=timezone(offset))


def parse_vtimezone(block: str) -> tuple[str, VTimezone] | None:
    """Return (TZID, zone) read from the unfolded lines of one VTIMEZONE block, or None.

    Observances that cannot be read (bad offsets such as iCloud's ``+5328``, odd rules) are dropped;
    the zone is None only when no usable observance is left.
    """
    tzid: str | None = None
    observances: list[_Observance] = []
    current: dict[str, list[ContentLine]] | None = None
    depth = 0
    for raw_line in block.split("\n"):
        line = parse_line(raw_line)
        if line is None:
            continue
        if line.name == "BEGIN":
            depth += 1
            kind = line.value.strip().upper()
            current = {} if depth == 1 and kind in ("STANDARD", "DAYLIGHT") else None
            continue
        if line.name == "END":
            depth = max(depth - 1, 0)
            if depth == 0 and current is not None:
                obs = _observance(current)
                if obs is not None:
                    observances.append(obs)
            current = None
            continue
        if depth == 0:
            if line.name == "TZID" and tzid is None:
                tzid = line.value
        elif current is not None and depth == 1:
            current.setdefault(line.name, []).append(line)
    if tzid is None or not clean_tzid(tzid) or not observances:
        return None
    return clean_tzid(tzid), VTimezone(observances)


def _observance(props: Mapping[str, list[ContentLine]]) -> _Observance | None:
    try:
        start = _parse_local(props["DTSTART"][0].value)
        offset_from = parse_offset(props["TZOFFSETFROM"][0].value)
        offset_to = parse_offset(props["TZOFFSETTO"][0].value)
    except KeyError:
        return None
    if start is None or offset_to is None:
        return None
    if offset_from is None:
        offset_from = offset_to
    rule = None
    if "RRULE" in props:
        rule = _parse_yearly_rule(props["RRULE"][0].value, start)
    rdates: list[datetime] = []
    for rdate in props.get("RDATE", []):
        if rdate.params.get("VALUE", "").upper() == "PERIOD":
            continue
        for item in rdate.value.split(","):
            parsed = _parse_local(item)
            if parsed is not None:
                rdates.append(parsed)
    return _Observance(start, offset_from, offset_to, rule, tuple(rdates))


class ZoneResolver:
    """Resolve the TZIDs of one feed; build one per import and drop it afterwards.

    Order: tzdb name (tolerant) → Windows name or Outlook display name → the feed's own VTIMEZONE.
    A zone that maps to tzdb uses tzdb rules, which track law changes that embedded rules miss.
    """

    def __init__(self, definitions: Mapping[str, VTimezone]) -> None:
        self._definitions = {key.casefold(): zone for key, zone in definitions.items()}
        self._memo: dict[str, Zone | None] = {}

    def resolve(self, tzid: str) -> Zone | None:
        """Return the zone *tzid* names, or None when neither tzdb nor the feed knows it."""
        if tzid in self._memo:
            return self._memo[tzid]
        cleaned = clean_tzid(tzid)
        zone: Zone | None = None
        if cleaned:
            name = iana_name(cleaned) or windows_iana_name(cleaned)
            if name is not None:
                try:
                    zone = TzinfoZone(_tzdb_zone(name))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    zone = None
            if zone is None:
                zone = self._definitions.get(cleaned.casefold())
        self._memo[tzid] = zone
        return zone
