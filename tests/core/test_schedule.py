"""Overlaps, days and the clock's loading window."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sessionclock.core.demo import demo_day
from sessionclock.core.models import Session
from sessionclock.core.schedule import clock_window, overlapping

TZ = ZoneInfo("Europe/Berlin")


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def test_overlapping_ignores_touching_sessions_and_the_session_itself() -> None:
    a = Session("A", at(9), at(10), id=1)
    touching = Session("B", at(10), at(11), id=2)
    clash = Session("C", at(9, 30), at(10, 30), id=3)
    assert overlapping(a, (touching, clash, a)) == (clash,)
    assert overlapping(a.with_changes(id=None), (a,)) == (a,)


def test_clock_window_reaches_into_last_night() -> None:
    start, end = clock_window(at(0, 30), tz=TZ)
    assert start == at(0) - timedelta(hours=12)
    assert end == at(0, day=11)


def test_demo_day_has_one_session_running_now() -> None:
    now = at(11, 7)
    sessions = demo_day(now)
    running = [s for s in sessions if s.start <= now < s.end]
    assert len(running) == 1
    assert running[0].start == at(10, 47)
    assert all(b.start - a.end == timedelta(minutes=15) for a, b in itertools.pairwise(sessions))
