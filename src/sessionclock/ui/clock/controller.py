"""The clock controller: the one object that turns (store, clock, settings) into state."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot

from sessionclock.core.clock import Clock
from sessionclock.core.countdown import (
    ClockState,
    clock_state,
    end_changes,
    extend_changes,
    start_changes,
)
from sessionclock.core.errors import SessionClockError
from sessionclock.core.formatting import day_bounds
from sessionclock.core.models import Session
from sessionclock.core.reminders import ReminderKey, due_reminders
from sessionclock.core.schedule import clock_window
from sessionclock.core.settings import ClockSettings

log = logging.getLogger(__name__)


class SessionStore(Protocol):
    """What the controller needs from the account's repository."""

    def sessions_between(self, start: datetime, end: datetime) -> tuple[Session, ...]:
        """Return the sessions overlapping [start, end), sorted by start."""
        ...

    def add(self, session: Session) -> Session:
        """Store a new session and return it with its id."""
        ...

    def update(self, session: Session) -> Session:
        """Store changes to a session."""
        ...

    def delete(self, session_id: int) -> None:
        """Delete a session."""
        ...

    def fired_reminders(self, session_ids: Iterable[int]) -> frozenset[ReminderKey]:
        """Return the reminders already fired for these sessions."""
        ...

    def mark_reminders_fired(self, keys: Iterable[ReminderKey]) -> None:
        """Remember that these reminders fired."""
        ...


class ClockController(QObject):
    """Keeps today's sessions, recomputes the clock state on each tick and applies user actions.

    Widgets hold no rules: they show the ``ClockState`` this object emits and call its methods.

    Signals:
        state_changed: emitted with the new ``ClockState`` on every tick and after any change.
        schedule_changed: emitted with (day, sessions) when the displayed day's sessions change.
        reminder_due: emitted with a ``Reminder`` to announce (at most once per session and lead).
        failed: emitted with a user-presentable message when the store refused a change.
    """

    state_changed = Signal(object)
    schedule_changed = Signal(object, object)
    reminder_due = Signal(object)
    failed = Signal(str)

    def __init__(
        self, *, clock: Clock, store: SessionStore | None, settings: ClockSettings
    ) -> None:
        super().__init__()
        self._clock = clock
        self._store = store
        self._settings = settings
        self._today: tuple[Session, ...] = ()
        self._loaded_for: date | None = None
        self._displayed_day = clock.now().astimezone(clock.zone()).date()
        self._fired: set[ReminderKey] = set()
        self._state: ClockState | None = None

    # -- reading -------------------------------------------------------------------------------

    @property
    def store(self) -> SessionStore:
        """Return the store (raises if none is attached yet)."""
        if self._store is None:
            raise RuntimeError("no store attached yet")
        return self._store

    @property
    def has_store(self) -> bool:
        """Return whether a store is attached (the window may show before the store opens)."""
        return self._store is not None

    def attach_store(self, store: SessionStore) -> None:
        """Attach the opened store and show its sessions."""
        self._store = store
        self._loaded_for = None
        self.reload()

    def detach_store(self) -> None:
        """Forget the store and every session of it (the account was locked): show an empty day."""
        self._store = None
        self._today = ()
        self._fired = set()
        self._loaded_for = None
        state = clock_state((), now=self._clock.now(), settings=self._settings)
        self._state = state
        self.state_changed.emit(state)
        self.schedule_changed.emit(self._displayed_day, ())

    @property
    def clock(self) -> Clock:
        """Return the clock this controller reads."""
        return self._clock

    @property
    def settings(self) -> ClockSettings:
        """Return the settings that shape the clock."""
        return self._settings

    @property
    def state(self) -> ClockState:
        """Return the latest state (computing it if none was computed yet)."""
        if self._state is None:
            self._recompute()
        assert self._state is not None
        return self._state

    @property
    def displayed_day(self) -> date:
        """Return the day the schedule shows."""
        return self._displayed_day

    def today(self) -> date:
        """Return today's date in the practitioner's zone."""
        return self._clock.now().astimezone(self._clock.zone()).date()

    def sessions_on(self, day: date) -> tuple[Session, ...]:
        """Return the sessions overlapping *day*."""
        if self._store is None:
            return ()
        start, end = day_bounds(day, self._clock.zone())
        return self._store.sessions_between(start, end)

    # -- ticking -------------------------------------------------------------------------------

    def tick(self) -> None:
        """Recompute the state for the current time and announce due reminders."""
        if self._store is None:
            return
        if self._loaded_for != self.today():
            self._reload_today()
        self._recompute()

    def reload(self) -> None:
        """Reload sessions from the store (after a sync or an edit) and recompute."""
        if self._store is None:
            return
        self._reload_today()
        self._recompute()
        self._emit_schedule()

    def set_settings(self, settings: ClockSettings) -> None:
        """Apply new settings at once."""
        self._settings = settings
        if self._store is not None:
            self._recompute()

    def show_day(self, day: date) -> None:
        """Show *day* in the schedule."""
        self._displayed_day = day
        self._emit_schedule()

    def _reload_today(self) -> None:
        store = self.store
        now = self._clock.now()
        start, end = clock_window(now, tz=self._clock.zone())
        self._today = store.sessions_between(start, end)
        self._loaded_for = self.today()
        ids = [s.id for s in self._today if s.id is not None]
        self._fired = set(store.fired_reminders(ids))

    def _recompute(self) -> None:
        if self._loaded_for is None:
            self._reload_today()
        state = clock_state(self._today, now=self._clock.now(), settings=self._settings)
        self._state = state
        due = due_reminders(state, settings=self._settings, fired=self._fired)
        if due:
            keys = [r.key for r in due]
            try:
                self.store.mark_reminders_fired(keys)
            except SessionClockError as e:
                # Still announce once in this run; the store will be asked again after a restart.
                log.warning("Could not record a fired reminder: %s", e)
            self._fired.update(keys)
        self.state_changed.emit(state)
        for reminder in due:
            if not reminder.superseded:
                self.reminder_due.emit(reminder)

    def _emit_schedule(self) -> None:
        day = self._displayed_day
        if day == self._loaded_for:
            # Today was just read for the clock, and its sessions are among those: a busy day is
            # read (and its names opened) once, not twice.
            start, end = day_bounds(day, self._clock.zone())
            shown = tuple(s for s in self._today if s.start < end and s.end > start)
        else:
            shown = self.sessions_on(day)
        self.schedule_changed.emit(day, shown)

    # -- acting --------------------------------------------------------------------------------

    @Slot()
    def start_now(self) -> None:
        """Start the session the practitioner is about to work on, now (``start_changes``)."""
        self._save(*start_changes(self.state, now=self._clock.now()))

    @Slot()
    def end_now(self) -> None:
        """End the current session now (``end_changes``)."""
        self._save(*end_changes(self.state, now=self._clock.now()))

    @Slot()
    def extend(self) -> None:
        """Give the current session ``EXTEND_MINUTES`` more (``extend_changes``)."""
        self._save(*extend_changes(self.state))

    def add_session(self, session: Session) -> None:
        """Store a new session."""
        try:
            self.store.add(session)
        except SessionClockError as e:
            self.failed.emit(str(e))
            return
        self.reload()

    def update_session(self, session: Session) -> None:
        """Store changes to a session."""
        self._save(session)

    def delete_session(self, session_id: int) -> None:
        """Delete a session."""
        try:
            self.store.delete(session_id)
        except SessionClockError as e:
            self.failed.emit(str(e))
            return
        self.reload()

    def _save(self, *sessions: Session) -> None:
        if not sessions:
            return
        try:
            for session in sessions:
                self.store.update(session)
        except SessionClockError as e:
            self.failed.emit(str(e))
        self.reload()
