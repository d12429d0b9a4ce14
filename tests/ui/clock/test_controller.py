"""The controller turns the store and the clock into states, reminders and saved actions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock
from sessionclock.core.countdown import ClockState, Phase
from sessionclock.core.formatting import day_bounds
from sessionclock.core.models import Session
from sessionclock.core.reminders import Reminder
from sessionclock.core.settings import ClockSettings
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.clock.controller import ClockController

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0, *, day: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def phase(controller: ClockController) -> Phase:
    return controller.state.phase


def make(clock: FixedClock, repository: AccountRepository) -> ClockController:
    return ClockController(clock=clock, store=repository, settings=ClockSettings())


def test_state_follows_the_clock(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    ann = repository.add(Session("Ann", at(9), at(10)))
    ben = repository.add(Session("Ben", at(10, 15), at(11)))
    controller = make(clock, repository)
    with qtbot.waitSignal(controller.state_changed) as blocker:
        controller.tick()
    state: ClockState = blocker.args[0]
    assert (state.phase, state.current, state.next) == (Phase.HANDS_ON, ann, ben)
    assert state.remaining == timedelta(minutes=35)
    clock.current = at(10, 5)
    controller.tick()
    assert phase(controller) is Phase.TURNOVER


def test_reminders_fire_once_and_not_again_after_a_restart(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann", at(9), at(10)))
    clock.current = at(9, 45)
    controller = make(clock, repository)
    with qtbot.waitSignal(controller.reminder_due) as blocker:
        controller.tick()
    reminder: Reminder = blocker.args[0]
    assert reminder.lead_minutes == 10
    with qtbot.assertNotEmitted(controller.reminder_due):
        controller.tick()
    restarted = make(clock, repository)  # a new process reads what the store remembered
    with qtbot.assertNotEmitted(restarted.reminder_due):
        restarted.tick()
    clock.current = at(9, 50)
    with qtbot.waitSignal(restarted.reminder_due) as blocker:
        restarted.tick()
    assert blocker.args[0].lead_minutes == 5


def test_start_now_end_now_and_extend_are_saved(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    ann = repository.add(Session("Ann", at(9), at(10)))
    ben = repository.add(Session("Ben", at(10, 15), at(11)))
    controller = make(clock, repository)
    controller.tick()
    controller.extend()
    saved = repository.get(ann.id or 0)
    assert saved is not None and saved.extra_minutes == 5
    controller.start_now()  # Ann runs by her booking: mark her as started now
    saved = repository.get(ann.id or 0)
    assert saved is not None and saved.actual_start == clock.now()
    clock.current = at(10, 20)
    controller.tick()
    assert phase(controller) is Phase.OVERTIME
    controller.start_now()  # Ben is on the table: Ann ends, Ben starts
    ann_after, ben_after = repository.get(ann.id or 0), repository.get(ben.id or 0)
    assert ann_after is not None and ann_after.actual_end == at(10, 20)
    assert ben_after is not None and ben_after.actual_start == at(10, 20)
    assert controller.state.current == ben_after
    controller.end_now()
    assert phase(controller) is Phase.DAY_DONE


def test_day_navigation_and_edits_emit_the_schedule(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    controller = make(clock, repository)
    with qtbot.waitSignal(controller.schedule_changed) as blocker:
        controller.add_session(Session("Ann", at(9), at(10)))
    day, sessions = blocker.args
    assert day == at(9).date()
    assert [s.client_name for s in sessions] == ["Ann"]
    with qtbot.waitSignal(controller.schedule_changed) as blocker:
        controller.show_day(at(9, day=11).date())
    assert blocker.args[1] == ()
    controller.show_day(at(9).date())
    with qtbot.waitSignal(controller.schedule_changed) as blocker:
        controller.delete_session(sessions[0].id)
    assert blocker.args[1] == ()


def test_a_refused_change_is_reported_not_raised(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    controller = make(clock, repository)
    with qtbot.waitSignal(controller.failed) as blocker:
        controller.delete_session(12345)
    assert blocker.args[0]


def test_midnight_reloads_the_new_day(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Tomorrow", at(9, day=11), at(10, day=11)))
    clock.current = at(23, 59)
    controller = make(clock, repository)
    controller.tick()
    assert phase(controller) is Phase.DAY_DONE
    clock.current = at(0, 1, day=11)
    controller.tick()
    assert phase(controller) is Phase.BEFORE_FIRST
    assert controller.state.next is not None


class ReadCounter:
    """The repository, counting how often sessions are read from it."""

    def __init__(self, repository: AccountRepository) -> None:
        self.repository = repository
        self.reads = 0

    def sessions_between(self, start: datetime, end: datetime) -> tuple[Session, ...]:
        self.reads += 1
        return self.repository.sessions_between(start, end)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.repository, name)


def test_opening_reads_today_once_and_shows_the_day_as_stored(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    # A busy day's names are opened once, for the clock and the schedule together.
    repository.add(Session("Last night", at(21, day=9), at(22, day=9)))
    repository.add(Session("Over midnight", at(23, 30, day=9), at(0, 30)))
    repository.add(Session("Ann", at(9), at(10)))
    repository.add(Session("Late", at(23, 30), at(0, 30, day=11)))
    repository.add(Session("Tomorrow", at(9, day=11), at(10, day=11)))
    store = ReadCounter(repository)
    controller = ClockController(clock=clock, store=None, settings=ClockSettings())
    with qtbot.waitSignal(controller.schedule_changed) as blocker:
        controller.attach_store(store)
    assert store.reads == 1
    day, sessions = blocker.args
    assert sessions == repository.sessions_between(*day_bounds(day, TZ))
    assert [s.client_name for s in sessions] == ["Over midnight", "Ann", "Late"]
    controller.show_day(at(9, day=11).date())  # another day is read when it is shown
    assert store.reads == 2


def test_detaching_the_store_forgets_every_session(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann Lee", at(9), at(10)))
    controller = ClockController(clock=clock, store=repository, settings=ClockSettings())
    controller.reload()
    assert controller.state.current is not None
    with (
        qtbot.waitSignal(controller.schedule_changed) as shown,
        qtbot.waitSignal(controller.state_changed) as state,
    ):
        controller.detach_store()
    assert shown.args[1] == ()
    assert state.args[0].current is None and state.args[0].next is None
    assert not controller.has_store
    assert controller.sessions_on(controller.today()) == ()
    controller.tick()  # no store: nothing happens, nothing fails
