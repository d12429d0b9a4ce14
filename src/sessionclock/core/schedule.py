"""Questions about a day's schedule that do not depend on the time of day."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def overlapping_indexes(sessions: Sequence[Session]) -> frozenset[int]:
    """Return the positions in *sessions* of every session that overlaps another one.

    The same rule as :func:`overlapping` (sessions that only touch do not overlap), for a whole
    day at once in O(n log n): sorted by start, a session overlaps an earlier one exactly when it
    starts before the latest end so far, and then it also overlaps the session with that end.
    """
    starts = [s.start.astimezone(UTC) for s in sessions]
    ends = [s.end.astimezone(UTC) for s in sessions]
    found: set[int] = set()
    latest: int | None = None
    for index in sorted(range(len(sessions)), key=lambda i: (starts[i], ends[i])):
        if latest is not None and starts[index] < ends[latest]:
            found.update((index, latest))
        if latest is None or ends[index] > ends[latest]:
            latest = index
    return frozenset(found)


def clock_window(now: datetime, *, tz: tzinfo) -> tuple[datetime, datetime]:
    """Return the span the clock loads sessions for: today in *tz*, plus a session from last night.

    A session booked late yesterday may still be running after midnight, so the window starts a
    day early; sessions that are over do not affect the clock.
    """
    start, end = day_bounds(now.astimezone(tz).date(), tz)
    return start - timedelta(hours=12), end
