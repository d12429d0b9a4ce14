"""The private end-of-day summary: booked against actual times, and how far the day ran over.

It is computed on the device from the day's sessions and is never sent anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sessionclock.core.countdown import session_timing
from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings

_ZERO = timedelta(0)


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session of the day, booked against actual.

    Attributes:
        session: the session.
        booked_start: the booked start.
        booked_end: the booked end.
        actual_start: when Start was pressed (None: it followed the booking).
        actual_end: when End was pressed (None: it followed the booking).
        planned_end: the end the clock counted to (booking, "+5 min" and late-start policy).
        started_late: how much later than booked the session started (zero if on time or early).
        overtime: how far the session ran past ``planned_end`` (zero if it did not).
    """

    session: Session
    booked_start: datetime
    booked_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None
    planned_end: datetime
    started_late: timedelta
    overtime: timedelta


@dataclass(frozen=True, slots=True)
class DaySummary:
    """The day in figures.

    Attributes:
        sessions: one row per session, in booked order.
        total_overtime: the sum of every session's overtime.
        total_started_late: the sum of every session's late start.
        booked_time: the total booked length.
        worked_time: the total time from effective start to effective end.
    """

    sessions: tuple[SessionSummary, ...]
    total_overtime: timedelta
    total_started_late: timedelta
    booked_time: timedelta
    worked_time: timedelta


def day_summary(sessions: Iterable[Session], *, settings: ClockSettings) -> DaySummary:
    """Summarise the day's *sessions*: booked and actual times per session, total overtime."""
    rows: list[SessionSummary] = []
    booked = worked = _ZERO
    for session in sorted(sessions, key=lambda s: (s.start.astimezone(UTC), s.id or 0)):
        timing = session_timing(session, settings)
        start = timing.start
        end = session.actual_end.astimezone(UTC) if session.actual_end is not None else timing.end
        rows.append(
            SessionSummary(
                session=session,
                booked_start=session.start,
                booked_end=session.end,
                actual_start=session.actual_start,
                actual_end=session.actual_end,
                planned_end=timing.end,
                started_late=max(_ZERO, start - session.start.astimezone(UTC)),
                overtime=max(_ZERO, end - timing.end),
            )
        )
        booked += session.booked_length
        worked += max(_ZERO, end - start)
    return DaySummary(
        sessions=tuple(rows),
        total_overtime=sum((r.overtime for r in rows), _ZERO),
        total_started_late=sum((r.started_late for r in rows), _ZERO),
        booked_time=booked,
        worked_time=worked,
    )
