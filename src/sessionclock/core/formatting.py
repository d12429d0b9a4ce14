"""Text shown by the clock, computed without Qt so it is tested without a window."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

_SENTENCE_END = re.compile(r"[.!?](?=\s)")


def format_countdown(value: timedelta, *, show_seconds: bool = True) -> str:
    """Format a duration as the clock shows it: ``12:05``, ``1:02:05``; without seconds ``12 min``.

    Negative values are shown by magnitude; the phase tells whether the clock counts up or down.
    Without seconds the minutes are rounded up while counting, so ``0:30`` reads ``1 min``.
    """
    total = abs(int(value.total_seconds()))
    if not show_seconds:
        minutes = -(-total // 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"


def format_time(value: datetime, *, tz: tzinfo, use_24h: bool = True) -> str:
    """Format the wall-clock time of *value* in *tz*: ``14:05`` or ``2:05 PM``."""
    local = value.astimezone(tz)
    if use_24h:
        return f"{local.hour:02d}:{local.minute:02d}"
    hour = local.hour % 12 or 12
    suffix = "AM" if local.hour < 12 else "PM"
    return f"{hour}:{local.minute:02d} {suffix}"


def format_span(start: datetime, end: datetime, *, tz: tzinfo, use_24h: bool = True) -> str:
    """Format a session's span: ``09:00–10:00``; a span ending on another day says so."""
    first = format_time(start, tz=tz, use_24h=use_24h)
    text = f"{first}–{format_time(end, tz=tz, use_24h=use_24h)}"
    if end.astimezone(tz).date() != start.astimezone(tz).date():
        text += " (+1 day)"
    return text


def format_minutes(value: timedelta) -> str:
    """Format a whole number of minutes for messages: ``5 min``, ``1 h 20 min``."""
    minutes = round(value.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min"


def initials(name: str) -> str:
    """Return a name's initials (``Ann-Marie O'Neil`` → ``A.O.``), for screens the client sees."""
    parts = [p for p in name.replace(",", " ").split() if p[:1].isalpha()]
    if not parts:
        return "—"
    return "".join(f"{p[0].upper()}." for p in parts[:3])


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the instants at which *day* starts and ends in *tz* (23 or 25 hours on DST days)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def first_sentence(text: str) -> str:
    """Return the first sentence of *text* (all of it if it is one): what happened, without
    the advice that follows, for a line too short to hold a whole message."""
    end = _SENTENCE_END.search(text)
    return text[: end.end()] if end else text
