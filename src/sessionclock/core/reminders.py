"""Which reminders are due at a tick, each at most once per session.

A reminder fires a set number of minutes before hands-on time ends (lead 0 fires at the moment
it ends). Fired reminders are remembered by the caller (the store keeps them, so a restart does
not repeat one); this module only decides.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import UTC, timedelta

from sessionclock.core.countdown import ClockState, Phase
from sessionclock.core.models import Session
from sessionclock.core.settings import ClockSettings

ReminderKey = tuple[int, int]
"""(session id, lead minutes): what is stored once a reminder has fired."""


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder that is due now.

    Attributes:
        session: the session it is about.
        lead_minutes: minutes before hands-on time ends (0: it ends now).
        superseded: True when a reminder with a smaller lead is due at the same tick (after a
            sleep or a restart); it should be recorded as fired but not announced.
    """

    session: Session
    lead_minutes: int
    superseded: bool = False

    @property
    def key(self) -> ReminderKey:
        """Return the key under which this reminder is remembered."""
        assert self.session.id is not None
        return (self.session.id, self.lead_minutes)


def due_reminders(
    state: ClockState, *, settings: ClockSettings, fired: Set[ReminderKey]
) -> tuple[Reminder, ...]:
    """Return the reminders due in *state* that are not in *fired*, largest lead first.

    Only the current session has reminders, only while it is running (not once its end has
    passed), and only once it has an id to be remembered by. A lead longer than the session's
    hands-on time never fires: a reminder at the very start would only startle.
    """
    timing = state.current_timing
    if timing is None or timing.session.id is None:
        return ()
    if state.phase not in (Phase.HANDS_ON, Phase.WRAP_UP):
        return ()
    at = state.now.astimezone(UTC)
    session_id = timing.session.id
    due = sorted(
        (
            lead
            for lead in settings.reminder_leads
            if timing.start <= timing.hands_on_end - timedelta(minutes=lead) <= at
            and (session_id, lead) not in fired
        ),
        reverse=True,
    )
    return tuple(
        Reminder(session=timing.session, lead_minutes=lead, superseded=i < len(due) - 1)
        for i, lead in enumerate(due)
    )
