"""The words around the big countdown, per phase; computed here so they are tested without Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, tzinfo

from sessionclock.core.countdown import ClockState, Phase
from sessionclock.core.formatting import format_countdown, format_minutes, format_time, initials

_LATE_THRESHOLD = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class FaceText:
    """What the clock face says.

    Attributes:
        label: the phase, in a few words ("Hands-on", "Turnover").
        name: the client this phase is about (current, or next when none is current).
        digits: the big countdown.
        detail: the line under the ring: who is next and when.
        late: how late the day is running, or "" when on time.
        spoken: one sentence for screen readers.
    """

    label: str
    name: str
    digits: str
    detail: str
    late: str
    spoken: str


_LABELS = {
    Phase.BEFORE_FIRST: "First session in",
    Phase.HANDS_ON: "Hands-on time left",
    Phase.WRAP_UP: "Wrap-up",
    Phase.TURNOVER: "Next client in",
    Phase.OVERTIME: "Overtime",
    Phase.DAY_DONE: "Day done",
}


def face_text(
    state: ClockState,
    *,
    tz: tzinfo,
    show_seconds: bool = True,
    use_24h: bool = True,
    initials_only: bool = False,
) -> FaceText:
    """Return the clock face's words for *state*.

    With *initials_only* (room mode), the next client appears by initials: the client on the table
    may see the screen. The current client, who is in the room, is shown by first name only.
    """

    def next_name() -> str:
        if state.next is None:
            return ""
        name = state.next.client_name
        return initials(name) if initials_only else name

    def current_name() -> str:
        if state.current is None:
            return ""
        name = state.current.client_name
        return name.split()[0] if initials_only and name.split() else name

    label = _LABELS[state.phase]
    digits = format_countdown(state.remaining, show_seconds=show_seconds)
    if state.phase is Phase.OVERTIME:
        digits = "+" + digits
    detail = ""
    if state.next is not None:
        at = format_time(state.next.start, tz=tz, use_24h=use_24h)
        detail = f"Next: {next_name()} at {at}"
    elif state.current is not None:
        detail = "Last session today"
    if state.phase in (Phase.BEFORE_FIRST, Phase.TURNOVER):
        name = next_name()
        detail = detail.replace("Next: ", "", 1)
    elif state.phase is Phase.DAY_DONE:
        name, digits, detail = "", "Done", "No more sessions today"
    else:
        name = current_name()
    late = ""
    if state.running_late >= _LATE_THRESHOLD:
        late = f"Running {format_minutes(state.running_late)} late"
    spoken = f"{label}: {format_countdown(state.remaining, show_seconds=False)}"
    if state.phase is Phase.DAY_DONE:
        spoken = "Day done: no more sessions today"
    return FaceText(label=label, name=name, digits=digits, detail=detail, late=late, spoken=spoken)
