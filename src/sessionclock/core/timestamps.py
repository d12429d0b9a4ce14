"""Aware datetimes split into a UTC instant and the zone they were written in, and back.

The store keeps times as naive UTC (so SQL comparisons order instants correctly) plus the zone:
an IANA name when the datetime carries a ``ZoneInfo`` with a key, else its fixed UTC offset such
as ``+05:30``. Reading returns an aware datetime equal to the one written, in the same zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sessionclock.core.errors import StorageError

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{6}))?)?$")


def to_utc(value: datetime) -> datetime:
    """Return *value* (aware) as a naive UTC datetime for storage."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("only timezone-aware datetimes can be stored")
    return value.astimezone(UTC).replace(tzinfo=None)


def zone_label(value: datetime) -> str:
    """Return the label of *value*'s zone: its IANA name, or its UTC offset at that instant."""
    tz = value.tzinfo
    if isinstance(tz, ZoneInfo) and tz.key:
        return tz.key
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("only timezone-aware datetimes can be stored")
    return _format_offset(offset)


def from_stored(utc: datetime, label: str) -> datetime:
    """Rebuild the aware datetime stored as naive *utc* and zone *label*.

    Raises:
        StorageError: the label names no known zone (for example tzdata lost a zone).
    """
    return utc.replace(tzinfo=UTC).astimezone(_zone(label))


def _zone(label: str) -> ZoneInfo | timezone:
    match = _OFFSET.match(label)
    if match:
        sign, hours, minutes, seconds, micros = match.groups()
        offset = timedelta(
            hours=int(hours),
            minutes=int(minutes),
            seconds=int(seconds or 0),
            microseconds=int(micros or 0),
        )
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(label)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise StorageError(f"A stored time uses an unknown time zone ({label!r}).") from exc


def _format_offset(offset: timedelta) -> str:
    sign = "-" if offset < timedelta(0) else "+"
    offset = abs(offset)
    hours, rest = divmod(offset, timedelta(hours=1))
    minutes, rest = divmod(rest, timedelta(minutes=1))
    text = f"{sign}{hours:02d}:{minutes:02d}"
    if rest:
        seconds, rest = divmod(rest, timedelta(seconds=1))
        text += f":{seconds:02d}"
        if rest:
            text += f".{rest.microseconds:06d}"
    return text
