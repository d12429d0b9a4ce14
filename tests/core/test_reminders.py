"""Reminders fire once per session and lead time, also across a restart."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sessionclock.core.countdown import clock_state
from sessionclock.core.models import Session
from sessionclock.core.reminders import ReminderKey, due_reminders
from sessionclock.core.settings import ClockSettings

TZ = ZoneInfo("Europe/Berlin")
SETTINGS = ClockSettings()  # wrap-up 5, leads 10, 5, 0
SESSION = Session(
    "Ann", datetime(2026, 3, 2, 9, tzinfo=TZ), datetime(2026, 3, 2, 10, tzinfo=TZ), id=7
)


def tick(now: datetime, fired: set[ReminderKey]) -> list[int]:
    """Run one tick like the controller does: announce what is due, remember it."""
    state = clock_state((SESSION,), now=now, settings=SETTINGS)
    due = due_reminders(state, settings=SETTINGS, fired=fired)
    fired.update(r.key for r in due)
    return [r.lead_minutes for r in due if not r.superseded]


def test_each_reminder_fires_once_at_its_lead_time() -> None:
    fired: set[ReminderKey] = set()
    announced: list[tuple[int, str]] = []
    now = datetime(2026, 3, 2, 9, tzinfo=TZ)
    while now < datetime(2026, 3, 2, 10, 5, tzinfo=TZ):
        announced += [(lead, now.strftime("%H:%M:%S")) for lead in tick(now, fired)]
        now += timedelta(seconds=1)
    assert announced == [(10, "09:45:00"), (5, "09:50:00"), (0, "09:55:00")]


def test_a_reminder_does_not_fire_twice_across_a_restart() -> None:
    fired: set[ReminderKey] = set()
    assert tick(datetime(2026, 3, 2, 9, 45, tzinfo=TZ), fired) == [10]
    persisted = frozenset(fired)  # what the store keeps
    restarted: set[ReminderKey] = set(persisted)
    assert tick(datetime(2026, 3, 2, 9, 46, tzinfo=TZ), restarted) == []


def test_after_a_sleep_only_the_latest_due_reminder_is_announced() -> None:
    fired: set[ReminderKey] = set()
    assert tick(datetime(2026, 3, 2, 9, 52, tzinfo=TZ), fired) == [5]
    assert fired == {(7, 10), (7, 5)}
    assert tick(datetime(2026, 3, 2, 9, 55, tzinfo=TZ), fired) == [0]


def test_no_reminders_once_the_session_is_over_or_before_it() -> None:
    for now in (datetime(2026, 3, 2, 8, 59, tzinfo=TZ), datetime(2026, 3, 2, 10, 1, tzinfo=TZ)):
        state = clock_state((SESSION,), now=now, settings=SETTINGS)
        assert due_reminders(state, settings=SETTINGS, fired=set()) == ()


def test_an_unsaved_session_has_no_reminders() -> None:
    unsaved = SESSION.with_changes(id=None)
    state = clock_state((unsaved,), now=datetime(2026, 3, 2, 9, 56, tzinfo=TZ), settings=SETTINGS)
    assert due_reminders(state, settings=SETTINGS, fired=set()) == ()


def test_a_lead_longer_than_the_hands_on_time_never_fires() -> None:
    short = Session(
        "Bo", datetime(2026, 3, 2, 9, tzinfo=TZ), datetime(2026, 3, 2, 9, 12, tzinfo=TZ), id=8
    )
    fired: set[ReminderKey] = set()
    leads: list[int] = []
    now = short.start
    while now < short.end:
        state = clock_state((short,), now=now, settings=SETTINGS)
        due = due_reminders(state, settings=SETTINGS, fired=fired)
        fired.update(r.key for r in due)
        leads += [r.lead_minutes for r in due]
        now += timedelta(seconds=30)
    assert leads == [5, 0]  # hands-on is 7 minutes: the 10-minute lead would fire at the start


def test_reminders_follow_plus_five_minutes() -> None:
    extended = SESSION.with_changes(extra_minutes=5)
    state = clock_state((extended,), now=datetime(2026, 3, 2, 9, 55, tzinfo=TZ), settings=SETTINGS)
    leads = [r.lead_minutes for r in due_reminders(state, settings=SETTINGS, fired=set())]
    assert leads == [10, 5]  # hands-on now ends at 10:00


def test_no_reminders_in_overtime() -> None:
    started = SESSION.with_changes(actual_start=datetime(2026, 3, 2, 9, tzinfo=TZ))
    state = clock_state((started,), now=datetime(2026, 3, 2, 10, 5, tzinfo=TZ), settings=SETTINGS)
    assert due_reminders(state, settings=SETTINGS, fired=set()) == ()
