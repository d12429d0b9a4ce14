"""Overlaps, days and the clock's loading window."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sessionclock.core.demo import demo_day
from sessionclock.core.models import Session
from sessionclock.core.schedule import clock_window, overlapping, overlapping_indexes

TZ = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")
LONDON = ZoneInfo("Europe/London")


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


def _at(minutes: int, length: int) -> Session:
    start = datetime(2026, 3, 2, 8, tzinfo=SYDNEY) + timedelta(minutes=minutes)
    return Session("C", start, start + timedelta(minutes=length))


def test_overlapping_indexes_marks_every_session_that_overlaps_another() -> None:
    sessions = (
        _at(0, 60),  # 0: overlaps 1
        _at(30, 60),  # 1
        _at(90, 30),  # 2: touches 1 only
        _at(200, 30),  # 3: inside 4, listed before it
        _at(180, 120),  # 4
        _at(300, 10),  # 5: touches 4 only
        _at(400, 10),  # 6: alone
    )

    assert overlapping_indexes(sessions) == {0, 1, 3, 4}
    assert overlapping_indexes(()) == frozenset()


def test_overlapping_indexes_agrees_with_checking_every_pair() -> None:
    rng = random.Random(7)
    for _ in range(200):
        sessions = tuple(
            _at(rng.randrange(0, 600, 5), rng.choice([5, 15, 30, 60, 90])) for _ in range(12)
        )
        by_pairs = frozenset(
            i
            for i, session in enumerate(sessions)
            if overlapping(session, sessions[:i] + sessions[i + 1 :])
        )

        assert overlapping_indexes(sessions) == by_pairs


def test_overlapping_indexes_compares_instants_across_zones() -> None:
    sydney = _at(0, 60)  # 08:00-09:00 in Sydney (AEDT, +11)
    # The last minute of it, written in London time.
    start = sydney.start.astimezone(LONDON) + timedelta(minutes=59)
    london = Session("L", start, start + timedelta(hours=1))

    assert overlapping_indexes((sydney, london)) == {0, 1}
