"""The clock's state as a pure function of (the day's sessions, now, settings).

Nothing here reads the wall clock or keeps a counter: the widgets call ``clock_state`` on every
tick with the time a Clock gave them, so sleep, clock changes and DST cannot make it drift.
All arithmetic is done on UTC instants: Python subtracts two datetimes that share a ZoneInfo as
wall-clock times, which is an hour off across a DST change.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings, LateStartPolicy

_ZERO = timedelta(0)

EXTEND_MINUTES = 5
"""How much time one press of "+5 min" gives the current session."""


class Phase(enum.StrEnum):
    """Where the practitioner's day stands."""

    BEFORE_FIRST = "before-first"
    """No session has begun yet today; counting down to the first one."""
    HANDS_ON = "hands-on"
    """A session is running and hands-on time is left."""
    WRAP_UP = "wrap-up"
    """The last minutes of the booking: time to finish, not to start something new."""
    TURNOVER = "turnover"
    """Between sessions: turning the room over; counting down to the next client."""
    OVERTIME = "overtime"
    """A session started by hand has run past its end and has not been ended."""
    DAY_DONE = "day-done"
    """No session left today."""


def remaining(target: datetime, now: datetime) -> timedelta:
    """Return the real time left until *target* (negative once it has passed)."""
    return target.astimezone(UTC) - now.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class SessionTiming:
    """When a session really starts and ends once the practitioner's actions are applied.

    Attributes:
        session: the session these times belong to.
        start: the effective start (the actual start if pressed, else the booked start), UTC.
        end: the effective end (booked end, moved by a late start policy and "+5 min"), UTC.
        hands_on_end: when hands-on time ends and wrap-up begins, UTC.
    """

    session: Session
    start: datetime
    end: datetime
    hands_on_end: datetime


def session_timing(session: Session, settings: ClockSettings) -> SessionTiming:
    """Return the effective start, end and hands-on end of *session* under *settings*."""
    booked_start = session.start.astimezone(UTC)
    booked_end = session.end.astimezone(UTC)
    start = booked_start
    end = booked_end
    if session.actual_start is not None:
        start = session.actual_start.astimezone(UTC)
        if settings.late_start is LateStartPolicy.FULL_LENGTH and start > booked_start:
            end = start + (booked_end - booked_start)
    end += timedelta(minutes=session.extra_minutes)
    # The wrap-up never takes more than half of a session, so a short booking keeps hands-on time.
    wrap_up = min(timedelta(minutes=settings.wrap_up_minutes), (end - start) / 2)
    return SessionTiming(
        session=session, start=start, end=end, hands_on_end=max(start, end - wrap_up)
    )


@dataclass(frozen=True, slots=True)
class ClockState:
    """Everything the countdown shows at one instant.

    Attributes:
        now: the instant this state was computed for.
        phase: where the day stands.
        remaining: time left in the phase; in OVERTIME, how far over (counting up); zero when
            the day is done.
        phase_start: when the phase began (None when unknown, e.g. before the first session).
        phase_end: when the phase ends (None in OVERTIME and DAY_DONE).
        current: the session in progress, if any.
        current_timing: its effective times.
        next: the next session to start, if any.
        running_late: how late the next client will be started (zero when on time).
    """

    now: datetime
    phase: Phase
    remaining: timedelta
    phase_start: datetime | None
    phase_end: datetime | None
    current: Session | None
    current_timing: SessionTiming | None
    next: Session | None
    running_late: timedelta

    @property
    def progress(self) -> float:
        """Return the fraction of the phase that has elapsed, from 0.0 to 1.0."""
        if self.phase is Phase.OVERTIME:
            return 1.0
        if self.phase_start is None or self.phase_end is None:
            return 0.0
        total = remaining(self.phase_end, self.phase_start)
        if total <= _ZERO:
            return 1.0
        done = remaining(self.now, self.phase_start) / total
        return min(1.0, max(0.0, done))

    @property
    def can_start(self) -> bool:
        """Return whether Start would change anything now (see ``start_changes``)."""
        return bool(start_changes(self, now=self.now))

    @property
    def can_end(self) -> bool:
        """Return whether End would change anything now (see ``end_changes``)."""
        return bool(end_changes(self, now=self.now))

    @property
    def can_extend(self) -> bool:
        """Return whether "+5 min" would change anything now (see ``extend_changes``)."""
        return bool(extend_changes(self))


def start_changes(state: ClockState, *, now: datetime) -> tuple[Session, ...]:
    """Return the sessions to store when Start is pressed at *now* (empty: nothing to do).

    If the current session runs by its booking, it is marked as started now. Otherwise the next
    session starts now and the current one, if any, ends now.
    """
    current = state.current
    if current is not None and current.actual_start is None:
        return (current.with_changes(actual_start=now),)
    if state.next is None:
        return ()
    started = state.next.with_changes(actual_start=now)
    if current is None:
        return (started,)
    return (current.with_changes(actual_end=now), started)


def end_changes(state: ClockState, *, now: datetime) -> tuple[Session, ...]:
    """Return the sessions to store when End is pressed at *now* (empty: nothing to do).

    The current session keeps the start it ran from, by hand or by its booking.
    """
    current, timing = state.current, state.current_timing
    if current is None or timing is None:
        return ()
    return (current.with_changes(actual_start=timing.start, actual_end=now),)


def extend_changes(state: ClockState) -> tuple[Session, ...]:
    """Return the sessions to store when "+5 min" is pressed (empty: nothing to do)."""
    current = state.current
    if current is None:
        return ()
    return (current.with_changes(extra_minutes=current.extra_minutes + EXTEND_MINUTES),)


def clock_state(
    sessions: Iterable[Session], *, now: datetime, settings: ClockSettings
) -> ClockState:
    """Return the clock's state at *now* for the day's *sessions*.

    Rules:
        - A session the practitioner ended (``actual_end``) is over.
        - A session started by hand runs until it is ended, into OVERTIME if need be; of several
          started by hand, the most recently started one is current.
        - Otherwise sessions follow their booking: one whose booked time contains *now* is current
          (the earliest, if bookings overlap), one whose effective end has passed is over.
        - The next session is the earliest one not yet over, not current and not started by hand.

    Raises:
        ValueError: if *now* is naive.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    at = now.astimezone(UTC)
    timings = sorted(
        (session_timing(s, settings) for s in sessions),
        key=lambda t: (t.session.start.astimezone(UTC), t.start, t.session.id or 0),
    )

    def is_over(t: SessionTiming) -> bool:
        s = t.session
        if s.actual_end is not None:
            return s.actual_end.astimezone(UTC) <= at
        return s.actual_start is None and t.end <= at

    live = [t for t in timings if not is_over(t)]
    started_by_hand = [t for t in live if t.session.actual_start is not None and t.start <= at]
    current: SessionTiming | None
    if started_by_hand:
        current = max(started_by_hand, key=lambda t: t.start)
    else:
        current = next((t for t in live if t.session.actual_start is None and t.start <= at), None)
    upcoming = next((t for t in live if t is not current and t.session.actual_start is None), None)
    next_session = upcoming.session if upcoming is not None else None

    if current is not None:
        projected_next = max(current.end, at)
        late = _ZERO
        if upcoming is not None:
            late = max(_ZERO, projected_next - upcoming.session.start.astimezone(UTC))
        if at < current.hands_on_end:
            phase, left = Phase.HANDS_ON, current.hands_on_end - at
            start, end = current.start, current.hands_on_end
        elif at < current.end:
            phase, left = Phase.WRAP_UP, current.end - at
            start, end = current.hands_on_end, current.end
        else:
            phase, left = Phase.OVERTIME, at - current.end
            start, end = current.end, None
        return ClockState(
            now=now,
            phase=phase,
            remaining=left,
            phase_start=start,
            phase_end=end,
            current=current.session,
            current_timing=current,
            next=next_session,
            running_late=late,
        )

    if upcoming is not None:
        next_start = upcoming.session.start.astimezone(UTC)
        finished = [_finished_at(t) for t in timings if is_over(t)]
        previous_end = max((f for f in finished if f <= at), default=None)
        phase = Phase.TURNOVER if previous_end is not None else Phase.BEFORE_FIRST
        return ClockState(
            now=now,
            phase=phase,
            remaining=next_start - at,
            phase_start=previous_end,
            phase_end=next_start,
            current=None,
            current_timing=None,
            next=next_session,
            running_late=_ZERO,
        )

    return ClockState(
        now=now,
        phase=Phase.DAY_DONE,
        remaining=_ZERO,
        phase_start=None,
        phase_end=None,
        current=None,
        current_timing=None,
        next=None,
        running_late=_ZERO,
    )


def _finished_at(timing: SessionTiming) -> datetime:
    if timing.session.actual_end is not None:
        return timing.session.actual_end.astimezone(UTC)
    return timing.end
