"""A realistic demo day placed around the current time, so a newcomer sees a running session."""

from __future__ import annotations

from datetime import datetime, timedelta

from sessionclock.core.models import Session, SessionSource

# Invented names; the demo never touches a real schedule.
_CLIENTS = (
    "Maya Okafor",
    "Liam Chen",
    "Sofia Rossi",
    "Noah Williams",
    "Aiko Tanaka",
    "Elena Petrova",
    "Oliver Brown",
)


_LENGTHS = (60, 60, 60, 60, 90, 60, 45)
_RUNNING = 2
_TURNOVER = timedelta(minutes=15)


def demo_day(now: datetime) -> tuple[Session, ...]:
    """Return a day of sessions with 15-minute turnovers; the third began 20 minutes ago."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    lengths = [timedelta(minutes=m) for m in _LENGTHS]
    starts = [now.replace(second=0, microsecond=0) - timedelta(minutes=20)]
    for length in reversed(lengths[:_RUNNING]):
        starts.insert(0, starts[0] - _TURNOVER - length)
    for length in lengths[_RUNNING:-1]:
        starts.append(starts[-1] + length + _TURNOVER)
    return tuple(
        Session(
            name,
            start,
            start + length,
            source=SessionSource.CALENDAR if i % 2 else SessionSource.MANUAL,
        )
        for i, (name, start, length) in enumerate(zip(_CLIENTS, starts, lengths, strict=True))
    )
