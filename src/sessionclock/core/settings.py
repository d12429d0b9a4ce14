"""Settings that shape the clock, with the defaults a practitioner expects."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class LateStartPolicy(enum.StrEnum):
    """What a session started late does to its end."""

    KEEP_BOOKED_END = "keep-booked-end"
    """The session still ends at the booked time (the next client is not kept waiting)."""
    FULL_LENGTH = "full-length"
    """The client gets the full booked length from the moment the session really started."""


DEFAULT_REMINDER_LEADS: tuple[int, ...] = (10, 5, 0)


@dataclass(frozen=True, slots=True)
class ClockSettings:
    """How the clock computes phases and reminders.

    Attributes:
        wrap_up_minutes: hands-on time ends this many minutes before the booked end.
        late_start: what a late start does to the session's end.
        reminder_leads: minutes before hands-on time ends at which a reminder fires.
    """

    wrap_up_minutes: int = 5
    late_start: LateStartPolicy = LateStartPolicy.KEEP_BOOKED_END
    reminder_leads: tuple[int, ...] = field(default=DEFAULT_REMINDER_LEADS)

    def __post_init__(self) -> None:
        if not 0 <= self.wrap_up_minutes <= 120:
            raise ValueError("wrap_up_minutes must be between 0 and 120")
        if any(lead < 0 or lead > 240 for lead in self.reminder_leads):
            raise ValueError("reminder lead times must be between 0 and 240 minutes")
        if len(set(self.reminder_leads)) != len(self.reminder_leads):
            raise ValueError("reminder lead times must be distinct")
