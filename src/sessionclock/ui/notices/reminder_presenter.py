"""Turns due reminders into cues: a soft chime, a gentle visual change, a notification.

The controller decides *when* a reminder is due (``core.reminders.due_reminders``, remembered in
the store so a restart does not repeat one); this object decides *how* it is announced, from the
practitioner's reminder preferences:

- the visual cue always shows (on every clock face given to ``add_cue_target``);
- a chime plays only if silent mode is off, the lead's sound is on and the volume is not zero;
  where there is no audio device the visual cue is all there is, and nothing fails;
- the notification goes to the tray, or to the in-window banner where there is no tray.

It also says "next client in N minutes" once per upcoming session during a turnover.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot

from sessionclock.core.chimes import ChimeKind
from sessionclock.core.countdown import ClockState, Phase
from sessionclock.core.formatting import initials
from sessionclock.core.preferences import ReminderPreferences
from sessionclock.core.reminders import Reminder
from sessionclock.ui.notices.chime_player import ChimePlayer


class Notifier(Protocol):
    """Somewhere to show a short notice: the tray or the in-window banner."""

    def notify(self, title: str, message: str) -> None:
        """Show *title* and *message*."""
        ...


def reminder_message(reminder: Reminder) -> tuple[str, str]:
    """Return the notification for *reminder* (the client by initials only)."""
    who = initials(reminder.session.client_name)
    if reminder.lead_minutes == 0:
        # Initials already end in a full stop ("S.R."); a second one reads as a typo.
        return "Hands-on time is over", f"Time to wrap up with {who}".rstrip(".") + "."
    return (
        f"{reminder.lead_minutes} minute{'' if reminder.lead_minutes == 1 else 's'} of hands-on"
        " time left",
        f"{who}: {reminder.lead_minutes} min until wrap-up.",
    )


class ReminderPresenter(QObject):
    """Announces reminders by chime, visual cue and notification, per the preferences.

    Signals:
        cued: emitted with (kind, sounded) for every announcement: the ``ChimeKind`` and whether
            a chime actually played.
    """

    cued = Signal(object, bool)

    def __init__(
        self,
        *,
        preferences: ReminderPreferences,
        player: ChimePlayer,
        notifier: Notifier,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self._player = player
        self._notifier = notifier
        self._cue_targets: list[Callable[[], None]] = []
        self._announced_next: set[int] = set()

    def set_preferences(self, preferences: ReminderPreferences) -> None:
        """Use *preferences* from now on."""
        self._preferences = preferences

    def add_cue_target(self, show_cue: Callable[[], None]) -> None:
        """Call *show_cue* for every announcement (a clock face's gentle visual cue)."""
        self._cue_targets.append(show_cue)

    @Slot(object)
    def announce(self, reminder: Reminder) -> None:
        """Announce *reminder*."""
        kind = ChimeKind.HANDS_ON_END if reminder.lead_minutes == 0 else ChimeKind.REMINDER
        title, message = reminder_message(reminder)
        wants_sound = reminder.lead_minutes in self._preferences.sound_leads
        self._cue(kind, title, message, wants_sound=wants_sound)

    @Slot(object)
    def check_next_client(self, state: ClockState) -> None:
        """Say "next client in N minutes" once per session when a turnover nears its end."""
        minutes = self._preferences.next_client_minutes
        upcoming = state.next
        if minutes <= 0 or upcoming is None or upcoming.id is None:
            return
        if state.phase is not Phase.TURNOVER or upcoming.id in self._announced_next:
            return
        if timedelta(0) < state.remaining <= timedelta(minutes=minutes):
            self._announced_next.add(upcoming.id)
            left = max(1, round(state.remaining.total_seconds() / 60))
            who = initials(upcoming.client_name)
            self._cue(
                ChimeKind.NEXT_CLIENT,
                f"Next client in {left} minutes",
                f"{who} is booked next.",
                wants_sound=True,
            )

    @Slot(str)
    def sync_failed(self, message: str) -> None:
        """Tell the practitioner a calendar sync failed (no chime: it is not urgent)."""
        self._notifier.notify("Calendar sync failed", message)

    def _cue(self, kind: ChimeKind, title: str, message: str, *, wants_sound: bool) -> None:
        for show_cue in self._cue_targets:
            show_cue()
        sounded = False
        if wants_sound and not self._preferences.silent:
            sounded = self._player.play(kind, volume=self._preferences.volume)
        self._notifier.notify(title, message)
        self.cued.emit(kind, sounded)
