"""Tests for the end-of-day summary."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings, LateStartPolicy
from sessionclock.core.summary import day_summary

TZ = ZoneInfo("Europe/Berlin")
SETTINGS = ClockSettings()


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=TZ)


LATER = at(23, 59)  # the summary at the end of the day


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def test_an_empty_day_has_nothing_to_report() -> None:
    summary = day_summary([], settings=SETTINGS, now=LATER)
    assert summary.sessions == ()
    assert summary.total_overtime == timedelta(0)
    assert summary.booked_time == timedelta(0)


def test_sessions_that_followed_the_booking_show_no_overtime() -> None:
    sessions = [
        Session("B", start=at(11), end=at(12), id=2),
        Session("A", start=at(9), end=at(10), id=1),
    ]
    summary = day_summary(sessions, settings=SETTINGS, now=LATER)
    assert [r.session.id for r in summary.sessions] == [1, 2]
    first = summary.sessions[0]
    assert (first.booked_start, first.booked_end) == (at(9), at(10))
    assert first.actual_start is None
    assert first.actual_end is None
    assert first.overtime == timedelta(0)
    assert summary.booked_time == timedelta(hours=2)
    assert summary.worked_time == timedelta(hours=2)


def test_overtime_is_measured_from_the_end_the_clock_counted_to() -> None:
    late_and_long = Session(
        "A", start=at(9), end=at(10), actual_start=at(9, 10), actual_end=at(10, 25), id=1
    )
    extended = Session(
        "B",
        start=at(11),
        end=at(12),
        actual_start=at(11),
        actual_end=at(12, 8),
        extra_minutes=5,
        id=2,
    )
    early = Session("C", start=at(13), end=at(14), actual_start=at(13), actual_end=at(13, 50), id=3)
    summary = day_summary([late_and_long, extended, early], settings=SETTINGS, now=LATER)
    a, b, c = summary.sessions
    assert a.started_late == minutes(10)
    assert a.planned_end == at(10)
    assert a.overtime == minutes(25)
    assert a.actual_start == at(9, 10)
    assert a.actual_end == at(10, 25)
    assert b.planned_end == at(12, 5)
    assert b.overtime == minutes(3)
    assert c.overtime == timedelta(0)
    assert summary.total_overtime == minutes(28)
    assert summary.total_started_late == minutes(10)
    assert summary.worked_time == minutes(75 + 68 + 50)


def test_full_length_policy_moves_the_planned_end() -> None:
    session = Session(
        "A", start=at(9), end=at(10), actual_start=at(9, 10), actual_end=at(10, 15), id=1
    )
    keep = day_summary([session], settings=SETTINGS, now=LATER).sessions[0]
    full = day_summary(
        [session], settings=ClockSettings(late_start=LateStartPolicy.FULL_LENGTH), now=LATER
    ).sessions[0]
    assert keep.overtime == minutes(15)
    assert full.planned_end == at(10, 10)
    assert full.overtime == minutes(5)


def test_an_early_start_is_not_a_late_start() -> None:
    session = Session("A", start=at(9), end=at(10), actual_start=at(8, 50), actual_end=at(10), id=1)
    row = day_summary([session], settings=SETTINGS, now=LATER).sessions[0]
    assert row.started_late == timedelta(0)
    assert row.overtime == timedelta(0)


def test_a_summary_made_mid_day_counts_only_what_has_happened() -> None:
    from sessionclock.core.summary import Progress

    done = Session("A", start=at(9), end=at(10), id=1)
    running = Session("B", start=at(10, 15), end=at(11, 15), actual_start=at(10, 20), id=2)
    upcoming = Session("C", start=at(13), end=at(14), id=3)
    summary = day_summary([upcoming, running, done], settings=SETTINGS, now=at(11, 30))
    assert [r.progress for r in summary.sessions] == [
        Progress.DONE,
        Progress.RUNNING,
        Progress.UPCOMING,
    ]
    assert summary.sessions[1].overtime == minutes(15)  # started by hand, still going
    assert summary.total_overtime == minutes(15)
    assert summary.total_started_late == minutes(5)
    assert summary.worked_time == minutes(60 + 70)
    assert summary.booked_time == minutes(180)


def test_a_session_following_its_booking_is_running_until_its_end() -> None:
    from sessionclock.core.summary import Progress

    session = Session("A", start=at(9), end=at(10), id=1)
    row = day_summary([session], settings=SETTINGS, now=at(9, 30)).sessions[0]
    assert row.progress is Progress.RUNNING
    assert row.overtime == timedelta(0)
    forgotten = session.with_changes(actual_start=at(9))
    evening = day_summary([forgotten], settings=SETTINGS, now=at(18)).sessions[0]
    assert evening.progress is Progress.RUNNING  # as the clock shows it: never ended
    assert evening.overtime == minutes(8 * 60)
    assert day_summary([session], settings=SETTINGS, now=at(9, 30)).worked_time == minutes(30)
