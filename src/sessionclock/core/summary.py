"""The private end-of-day summary: booked against actual times, and how far the day ran over.

It is computed on the device from the day's sessions and is never sent anywhere.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sessionclock.core.countdown import clock_state, session_timing
from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings

_ZERO = timedelta(0)


class Progress(enum.StrEnum):
    """Where a session stands when the summary is made."""

    DONE = "done"
    RUNNING = "running"
    UPCOMING = "upcoming"


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
        overtime: how far the session ran past ``planned_end`` (zero if it did not), so far.
        progress: done, running or still to come when the summary was made.
    """

    session: Session
    booked_start: datetime
    booked_end: datetime
    actual_start: datetime | None
    actual_end: datetime | None
    planned_end: datetime
    started_late: timedelta
    overtime: timedelta
    progress: Progress


@dataclass(frozen=True, slots=True)
class DaySummary:
    """The day in figures.

    Attributes:
        sessions: one row per session, in booked order.
        total_overtime: the sum of every session's overtime.
        total_started_late: the sum of every session's late start.
        booked_time: the total booked length.
        worked_time: the time worked so far, from effective start to effective end (or now).
    """

    sessions: tuple[SessionSummary, ...]
    total_overtime: timedelta
    total_started_late: timedelta
    booked_time: timedelta
    worked_time: timedelta


def day_summary(
    sessions: Iterable[Session], *, settings: ClockSettings, now: datetime
) -> DaySummary:
    """Summarise the day's *sessions* as they stand at *now*: booked against actual times.

    Sessions still to come count towards the booked time only. The session the clock shows as
    current counts up to *now* (into overtime if the practitioner started it and has not ended
    it); the others end when the practitioner ended them, or at their planned end.
    """
    at = now.astimezone(UTC)
    ordered = sorted(sessions, key=lambda s: (s.start.astimezone(UTC), s.id or 0))
    current = clock_state(ordered, now=now, settings=settings).current
    rows: list[SessionSummary] = []
    booked = worked = _ZERO
    for session in ordered:
        timing = session_timing(session, settings)
        start = timing.start
        if current is not None and session is current:
            end, progress = at, Progress.RUNNING
        elif start > at:
            end, progress = start, Progress.UPCOMING
        elif session.actual_end is not None:
            end, progress = session.actual_end.astimezone(UTC), Progress.DONE
        else:
            end, progress = min(timing.end, at), Progress.DONE
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
                progress=progress,
            )
        )
        booked += session.booked_length
        worked += max(_ZERO, end - start)
    return DaySummary(
        sessions=tuple(rows),
        total_overtime=sum((r.overtime for r in rows), _ZERO),
        total_started_late=sum(
            (r.started_late for r in rows if r.progress is not Progress.UPCOMING), _ZERO
        ),
        booked_time=booked,
        worked_time=worked,
    )
