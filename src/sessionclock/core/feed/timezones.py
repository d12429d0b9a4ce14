"""Turn the TZID of a feed into a zone, and local wall times into real instants.

Only tzdb and the CLDR Windows mapping are global data. Everything a feed defines itself (its
VTIMEZONE blocks) lives in a :class:`ZoneResolver` made for that one feed and dropped with it, so a
"Customized Time Zone" of one practitioner's feed can never leak into the next feed.

Local times that do not exist (the spring-forward gap) are shifted forward by the length of the gap,
and repeated local times (the fall-back overlap) mean their first occurrence (RFC 5545, 3.3.5); the
feed's own zones follow the same rules (``vtimezone``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from sessionclock.core.feed.parser import Line

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_NUMBERED_DUPLICATE_RE = re.compile(r"\s+\d{1,2}$")
_NOT_IN_NAMES_RE = re.compile(r"[^A-Za-z0-9/_+\-.]")
_DISPLAY_PREFIX_RE = re.compile(r"^\((?:UTC|GMT)\s*(?:[+-]\s*\d{1,2}(?::?\d{2})?)?\)\s*", re.I)
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


def _is_tzdb_name(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@functools.cache
def _iana_names() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@functools.cache
def _windows_names() -> dict[str, str]:
    from tzlocal.windows_tz import win_tz

    return {name.casefold(): iana for name, iana in win_tz.items()}


@functools.cache
def _display_names() -> dict[str, str]:
    # Imported here: most feeds never need the table, and a quick check should not wait for it.
    import json
    from importlib import resources

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
    candidates = [tzid, _NUMBERED_DUPLICATE_RE.sub("", tzid)]
    for candidate in candidates:
        stripped = candidate.strip("/ ")
        if not stripped or _NOT_IN_NAMES_RE.search(stripped):
            continue  # a Windows or display name: no tzdb name has spaces or brackets
        folded = stripped.casefold()
        if folded in _UTC_NAMES:
            return "UTC"
        if _is_tzdb_name(stripped):
            return stripped  # the usual case, without listing every zone on disk
        names = _iana_names()
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


class ZoneResolver:
    """Resolve the TZIDs of one feed; build one per import and drop it afterwards.

    Order: tzdb name (tolerant) → Windows name or Outlook display name → the feed's own VTIMEZONE.
    A zone that maps to tzdb uses tzdb rules, which track law changes that embedded rules miss.
    A feed's own definitions are only read when an event uses them.

    Attributes:
        unreadable: cleaned TZIDs whose definition in the feed could not be read.
    """

    def __init__(self, definitions: Mapping[str, Sequence[Line]]) -> None:
        """Keep the feed's VTIMEZONE blocks (their scanned lines) by cleaned TZID."""
        self._definitions = {
            clean_tzid(tzid).casefold(): lines for tzid, lines in definitions.items()
        }
        self._memo: dict[str, Zone | None] = {}
        self._built: dict[str, Zone | None] = {}
        self.unreadable: set[str] = set()

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
                zone = self._feed_zone(cleaned)
        self._memo[tzid] = zone
        return zone

    def _feed_zone(self, cleaned: str) -> Zone | None:
        key = cleaned.casefold()
        if key in self._built:
            return self._built[key]
        lines = self._definitions.get(key)
        zone: Zone | None = None
        if lines is not None:
            from sessionclock.core.feed.vtimezone import zone_from_lines  # only feeds that need it

            try:
                parsed = zone_from_lines(lines)
            except (ValueError, OverflowError):
                parsed = None
            if parsed is None:
                self.unreadable.add(cleaned)
            else:
                zone = parsed[1]
        self._built[key] = zone
        return zone
