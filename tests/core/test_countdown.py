"""Table-driven tests of the clock's phases, with a fixed clock and no Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.countdown import (
    EXTEND_MINUTES,
    Phase,
    clock_state,
    end_changes,
    extend_changes,
    remaining,
    session_timing,
    start_changes,
)
from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings, LateStartPolicy

TZ = ZoneInfo("America/Toronto")
DEFAULT = ClockSettings()


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=TZ)


def booked(name: str, start: datetime, end: datetime, sid: int, **kw: object) -> Session:
    return Session(name, start, end, id=sid, **kw)  # type: ignore[arg-type]


A = booked("Ann", at(9), at(10), 1)
B = booked("Ben", at(10, 15), at(11, 15), 2)
C = booked("Cleo", at(13), at(14), 3)
DAY = (A, B, C)


@dataclass(frozen=True)
class Case:
    id: str
    now: datetime
    phase: Phase
    left: timedelta
    current: Session | None
    next: Session | None
    late: timedelta = timedelta(0)
    sessions: tuple[Session, ...] = DAY
    settings: ClockSettings = DEFAULT


CASES = [
    Case("before first", at(8, 30), Phase.BEFORE_FIRST, timedelta(minutes=30), None, A),
    Case("first starts", at(9), Phase.HANDS_ON, timedelta(minutes=55), A, B),
    Case("hands-on", at(9, 20, 30), Phase.HANDS_ON, timedelta(minutes=34, seconds=30), A, B),
    Case("wrap-up begins", at(9, 55), Phase.WRAP_UP, timedelta(minutes=5), A, B),
    Case("wrap-up", at(9, 58), Phase.WRAP_UP, timedelta(minutes=2), A, B),
    Case("turnover begins", at(10), Phase.TURNOVER, timedelta(minutes=15), None, B),
    Case("turnover", at(10, 14, 59), Phase.TURNOVER, timedelta(seconds=1), None, B),
    Case("long gap", at(12), Phase.TURNOVER, timedelta(hours=1), None, C),
    Case("last session", at(13, 30), Phase.HANDS_ON, timedelta(minutes=25), C, None),
    Case("day done", at(14), Phase.DAY_DONE, timedelta(0), None, None),
    Case("empty day", at(9), Phase.DAY_DONE, timedelta(0), None, None, sessions=()),
    Case(
        "no wrap-up",
        at(9, 58),
        Phase.HANDS_ON,
        timedelta(minutes=2),
        A,
        B,
        settings=ClockSettings(wrap_up_minutes=0),
    ),
    Case(
        "ten minute wrap-up",
        at(9, 51),
        Phase.WRAP_UP,
        timedelta(minutes=9),
        A,
        B,
        settings=ClockSettings(wrap_up_minutes=10),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_phase_table(case: Case) -> None:
    state = clock_state(case.sessions, now=case.now, settings=case.settings)
    assert state.phase is case.phase
    assert state.remaining == case.left
    assert state.current == case.current
    assert state.next == case.next
    assert state.running_late == case.late


def test_transitions_happen_exactly_on_the_second() -> None:
    phases = [
        clock_state(DAY, now=t, settings=DEFAULT).phase
        for t in (at(8, 59, 59), at(9), at(9, 54, 59), at(9, 55), at(9, 59, 59), at(10))
    ]
    assert phases == [
        Phase.BEFORE_FIRST,
        Phase.HANDS_ON,
        Phase.HANDS_ON,
        Phase.WRAP_UP,
        Phase.WRAP_UP,
        Phase.TURNOVER,
    ]


def test_sessions_touching_end_to_start_have_no_turnover() -> None:
    first = booked("Ann", at(9), at(10), 1)
    second = booked("Ben", at(10), at(11), 2)
    before = clock_state((first, second), now=at(9, 59, 59), settings=DEFAULT)
    after = clock_state((first, second), now=at(10), settings=DEFAULT)
    assert (before.phase, before.current, before.next) == (Phase.WRAP_UP, first, second)
    assert (after.phase, after.current, after.next) == (Phase.HANDS_ON, second, None)
    assert after.remaining == timedelta(minutes=55)


def test_overlapping_sessions_take_the_earliest_and_show_the_other_as_next_running_late() -> None:
    first = booked("Ann", at(9), at(10), 1)
    overlap = booked("Ben", at(9, 30), at(10, 30), 2)
    state = clock_state((overlap, first), now=at(9, 45), settings=DEFAULT)
    assert state.current == first
    assert state.next == overlap
    assert state.running_late == timedelta(minutes=30)
    # Once the first ends, the overlapping one is current with its own booked end.
    later = clock_state((overlap, first), now=at(10, 5), settings=DEFAULT)
    assert (later.phase, later.current, later.remaining) == (
        Phase.HANDS_ON,
        overlap,
        timedelta(minutes=20),
    )


def test_late_start_keeps_the_booked_end_by_default() -> None:
    started = A.with_changes(actual_start=at(9, 10))
    state = clock_state((started, B), now=at(9, 10), settings=DEFAULT)
    assert state.phase is Phase.HANDS_ON
    assert state.remaining == timedelta(minutes=45)
    assert state.running_late == timedelta(0)


def test_late_start_with_full_length_moves_the_end_and_makes_the_day_late() -> None:
    settings = ClockSettings(late_start=LateStartPolicy.FULL_LENGTH)
    started = A.with_changes(actual_start=at(9, 25))
    state = clock_state((started, B), now=at(9, 25), settings=settings)
    assert state.remaining == timedelta(minutes=55)
    assert state.running_late == timedelta(minutes=10)  # ends 10:25, Ben booked 10:15


def test_early_start_keeps_the_booked_end_under_both_policies() -> None:
    for policy in LateStartPolicy:
        started = A.with_changes(actual_start=at(8, 50))
        state = clock_state((started,), now=at(8, 50), settings=ClockSettings(late_start=policy))
        assert state.remaining == timedelta(minutes=65), policy


def test_a_session_started_by_hand_runs_into_overtime_and_the_next_client_waits() -> None:
    started = A.with_changes(actual_start=at(9))
    state = clock_state((started, B), now=at(10, 20), settings=DEFAULT)
    assert state.phase is Phase.OVERTIME
    assert state.remaining == timedelta(minutes=20)  # counting up
    assert state.current == started
    assert state.next == B
    assert state.running_late == timedelta(minutes=5)
    assert state.progress == 1.0


def test_end_now_ends_overtime_and_starts_the_turnover() -> None:
    ended = A.with_changes(actual_start=at(9), actual_end=at(10, 5))
    state = clock_state((ended, B), now=at(10, 5), settings=DEFAULT)
    assert state.phase is Phase.TURNOVER
    assert state.remaining == timedelta(minutes=10)
    assert state.phase_start == at(10, 5)


def test_ending_early_frees_the_time_until_the_next_session() -> None:
    ended = A.with_changes(actual_end=at(9, 40))
    state = clock_state((ended, B), now=at(9, 41), settings=DEFAULT)
    assert (state.phase, state.next, state.remaining) == (Phase.TURNOVER, B, timedelta(minutes=34))


def test_starting_the_next_session_early_makes_it_current() -> None:
    early = B.with_changes(actual_start=at(10, 5))
    state = clock_state((A, early, C), now=at(10, 6), settings=DEFAULT)
    assert state.current == early
    assert state.next == C
    assert state.remaining == timedelta(minutes=64)  # hands-on ends 11:10


def test_plus_five_minutes_extends_the_session() -> None:
    extended = A.with_changes(extra_minutes=5)
    state = clock_state((extended, B), now=at(9, 56), settings=DEFAULT)
    assert state.phase is Phase.HANDS_ON
    assert state.remaining == timedelta(minutes=4)
    assert state.running_late == timedelta(0)  # ends 10:05, Ben at 10:15
    longer = A.with_changes(extra_minutes=20)
    assert clock_state((longer, B), now=at(9), settings=DEFAULT).running_late == timedelta(
        minutes=5
    )


def test_a_short_session_keeps_half_its_time_hands_on() -> None:
    short = booked("Ann", at(9), at(9, 6), 1)
    timing = session_timing(short, DEFAULT)
    assert timing.hands_on_end == at(9, 3)


def test_a_session_crossing_midnight() -> None:
    night = booked("Nia", at(23, 30), at(0, 30, day=11), 1)
    state = clock_state((night,), now=at(0, 10, day=11), settings=DEFAULT)
    assert state.phase is Phase.HANDS_ON
    assert state.remaining == timedelta(minutes=15)
    assert state.current == night


@pytest.mark.parametrize(
    ("start", "end", "now", "left"),
    [
        # Spring forward in Toronto (2026-03-08 02:00 → 03:00): a 01:30–03:30 booking is one hour.
        (
            datetime(2026, 3, 8, 1, 30, tzinfo=TZ),
            datetime(2026, 3, 8, 3, 30, tzinfo=TZ),
            datetime(2026, 3, 8, 1, 45, tzinfo=TZ),
            timedelta(minutes=40),
        ),
        # Fall back (2026-11-01 02:00 → 01:00): 00:30–02:30 is three real hours.
        (
            datetime(2026, 11, 1, 0, 30, tzinfo=TZ),
            datetime(2026, 11, 1, 2, 30, tzinfo=TZ),
            datetime(2026, 11, 1, 0, 30, tzinfo=TZ),
            timedelta(hours=2, minutes=55),
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_a_day_with_a_dst_change(
    start: datetime, end: datetime, now: datetime, left: timedelta
) -> None:
    session = booked("Dee", start, end, 1)
    state = clock_state((session,), now=now, settings=DEFAULT)
    assert state.phase is Phase.HANDS_ON
    assert state.remaining == left


def test_the_second_one_am_of_a_fall_back_day_is_later_than_the_first() -> None:
    session = booked(
        "Dee", datetime(2026, 11, 1, 0, 30, tzinfo=TZ), datetime(2026, 11, 1, 3, tzinfo=TZ), 1
    )
    first = datetime(2026, 11, 1, 1, 30, tzinfo=TZ)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=TZ)
    left_first = clock_state((session,), now=first, settings=DEFAULT).remaining
    left_second = clock_state((session,), now=second, settings=DEFAULT).remaining
    assert left_first - left_second == timedelta(hours=1)


def test_now_in_another_zone_gives_the_same_answer() -> None:
    utc_now = at(9, 20).astimezone(UTC)
    assert clock_state(DAY, now=utc_now, settings=DEFAULT).remaining == timedelta(minutes=35)


def test_progress_moves_through_the_phase() -> None:
    assert clock_state(DAY, now=at(9), settings=DEFAULT).progress == 0.0
    half = clock_state(DAY, now=at(9, 27, 30), settings=DEFAULT).progress
    assert half == pytest.approx(0.5)
    assert clock_state(DAY, now=at(8), settings=DEFAULT).progress == 0.0  # before the first


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        clock_state(DAY, now=datetime(2026, 11, 10, 9), settings=DEFAULT)  # noqa: DTZ001


def test_remaining_is_negative_after_the_target() -> None:
    assert remaining(at(9), at(9, 1)) == timedelta(minutes=-1)


def test_sessions_in_any_order_give_the_same_state() -> None:
    for now in (at(8), at(9, 30), at(10, 5), at(13, 30), at(15)):
        assert clock_state(DAY, now=now, settings=DEFAULT) == clock_state(
            tuple(reversed(DAY)), now=now, settings=DEFAULT
        )


def test_progress_of_a_phase_with_no_length_is_complete() -> None:
    from dataclasses import replace

    state = clock_state(DAY, now=at(10, 5), settings=DEFAULT)
    assert replace(state, phase_start=at(10, 15)).progress == 1.0


# ---------------------------------------------------------------------------- Start, End, +5 min


@pytest.mark.parametrize(
    ("now", "sessions", "can_start", "can_end"),
    [
        pytest.param(at(8), DAY, True, False, id="before the first: start it early"),
        pytest.param(at(9, 20), DAY, True, True, id="by its booking: mark it started"),
        pytest.param(at(10, 5), DAY, True, False, id="turnover: start the next client"),
        pytest.param(
            at(13, 30),
            (A, B, C.with_changes(actual_start=at(13))),
            False,
            True,
            id="the last one, started by hand",
        ),
        pytest.param(at(15), DAY, False, False, id="day done"),
        pytest.param(at(9), (), False, False, id="empty day"),
    ],
)
def test_what_start_and_end_can_do(
    now: datetime, sessions: tuple[Session, ...], can_start: bool, can_end: bool
) -> None:
    state = clock_state(sessions, now=now, settings=DEFAULT)
    assert state.can_start is can_start
    assert state.can_end is can_end
    assert state.can_extend is can_end
    assert bool(start_changes(state, now=now)) is can_start
    assert bool(end_changes(state, now=now)) is can_end
    assert bool(extend_changes(state)) is can_end


def test_start_marks_a_session_running_by_its_booking_as_started() -> None:
    state = clock_state(DAY, now=at(9, 20), settings=DEFAULT)
    assert start_changes(state, now=at(9, 20, 1)) == (A.with_changes(actual_start=at(9, 20, 1)),)


def test_start_during_a_session_started_by_hand_ends_it_and_starts_the_next() -> None:
    running = A.with_changes(actual_start=at(9))
    state = clock_state((running, B, C), now=at(10, 3), settings=DEFAULT)
    assert state.phase is Phase.OVERTIME
    assert start_changes(state, now=at(10, 3)) == (
        running.with_changes(actual_end=at(10, 3)),
        B.with_changes(actual_start=at(10, 3)),
    )


def test_start_in_a_turnover_starts_the_next_client_alone() -> None:
    state = clock_state(DAY, now=at(10, 5), settings=DEFAULT)
    assert start_changes(state, now=at(10, 5)) == (B.with_changes(actual_start=at(10, 5)),)


def test_end_keeps_the_start_the_session_ran_from() -> None:
    state = clock_state(DAY, now=at(9, 20), settings=DEFAULT)
    (ended,) = end_changes(state, now=at(9, 40))
    assert ended.actual_start == at(9)
    assert ended.actual_end == at(9, 40)


def test_plus_five_adds_the_extend_step_each_time() -> None:
    state = clock_state((A.with_changes(extra_minutes=5), B), now=at(9, 20), settings=DEFAULT)
    (extended,) = extend_changes(state)
    assert EXTEND_MINUTES == 5
    assert extended.extra_minutes == 5 + EXTEND_MINUTES
