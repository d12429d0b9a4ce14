"""Questions about a day's schedule that do not depend on the time of day."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo

from sessionclock.core.formatting import day_bounds
from sessionclock.core.models import Session


def overlapping(candidate: Session, others: Iterable[Session]) -> tuple[Session, ...]:
    """Return the sessions among *others* whose booked time overlaps *candidate*'s.

    Sessions that only touch (one ends when the other starts) do not overlap. A session with the
    same id as *candidate* is the candidate itself (being edited) and is ignored.
    """
    start, end = candidate.start.astimezone(UTC), candidate.end.astimezone(UTC)
    return tuple(
        other
        for other in others
        if not (candidate.id is not None and other.id == candidate.id)
        and other.start.astimezone(UTC) < end
        and start < other.end.astimezone(UTC)
    )


def clock_window(now: datetime, *, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the span the clock loads sessions for: today in *tz*, plus a session from last night.

    A session booked late yesterday may still be running after midnight, so the window starts a
    day early; sessions that are over do not affect the clock.
    """
    start, end = day_bounds(now.astimezone(tz).date(), tz)
    return start - timedelta(hours=12), end
