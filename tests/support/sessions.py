"""Days of sessions for tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sessionclock.core.models import Session


def busy_day(first: datetime, count: int, *, numbered: bool = False) -> tuple[Session, ...]:
    """Return *count* hour-long sessions starting evenly over ten hours from *first*: most of
    them overlap others, as in a whole clinic's calendar.

    Args:
        first: the first session's start.
        count: how many sessions.
        numbered: give them ids 1, 2, … as a store would (for models that are not stored).
    """
    sessions = []
    for i in range(count):
        start = first + timedelta(minutes=i * 600 // count)
        session = Session(f"Client {i}", start, start + timedelta(hours=1))
        sessions.append(replace(session, id=i + 1) if numbered else session)
    return tuple(sessions)
