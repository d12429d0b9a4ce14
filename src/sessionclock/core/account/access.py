"""What the practitioner may do now: the subscription as last checked, the offline grace, and
when syncing and editing pause.

The rules, all pure functions of (the last check, now, the running session):

- The service is asked at start and every few hours. Each successful answer is kept (sealed, per
  account) as an ``EntitlementRecord`` together with this computer's time of the check.
- While the service cannot be reached, everything keeps working for ``GRACE`` (7 days) after
  the last successful check, and the app says so.
- When access is lost (the service says the subscription lapsed, or the grace ran out), calendar
  sync and editing pause from the start of the next day in the practitioner's zone, so nothing
  changes under their hands in the middle of a working day; and never while a session that
  began before the pause is still running. The schedule, the clock for what is stored, Start,
  End and +5 min, and export always stay.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sessionclock.core.account.models import Entitlement, EntitlementSource, EntitlementState
from sessionclock.core.countdown import ClockState, Phase
from sessionclock.core.formatting import day_bounds, format_time

GRACE = timedelta(days=7)
"""How long the app keeps working after the last successful check when offline."""


@dataclass(frozen=True, slots=True)
class EntitlementRecord:
    """The last successful check of the subscription, as kept (sealed) for one account.

    Attributes:
        entitlement: what the service answered.
        checked_locally_at: this computer's time of that answer (the grace counts from it).
        lapse_noticed_at: this computer's time of the first check that found the subscription
            lapsed, carried on while it stays lapsed (the pause counts from it); None otherwise.
    """

    entitlement: Entitlement
    checked_locally_at: datetime
    lapse_noticed_at: datetime | None = None

    def to_json(self) -> str:
        """Return the record as JSON (to be sealed by the store)."""
        e = self.entitlement
        return json.dumps(
            {
                "state": e.state.value,
                "entitled": e.entitled,
                "source": e.source.value,
                "ends_at": _iso(e.ends_at),
                "trial_ends_at": _iso(e.trial_ends_at),
                "checked_at": _iso(e.checked_at),
                "checked_locally_at": _iso(self.checked_locally_at),
                "lapse_noticed_at": _iso(self.lapse_noticed_at),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> EntitlementRecord | None:
        """Return the record *text* holds, or None when it is not one (it then counts as never
        checked: the app asks the service again)."""
        try:
            values = json.loads(text)
            entitlement = Entitlement(
                state=EntitlementState(values["state"]),
                entitled=bool(values["entitled"]),
                source=EntitlementSource(values["source"]),
                ends_at=_moment(values["ends_at"]),
                trial_ends_at=_required(values["trial_ends_at"]),
                checked_at=_required(values["checked_at"]),
            )
            return cls(
                entitlement=entitlement,
                checked_locally_at=_required(values["checked_locally_at"]),
                lapse_noticed_at=_moment(values["lapse_noticed_at"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _moment(value: object) -> datetime | None:
    return None if value is None else _required(value)


def _required(value: object) -> datetime:
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("a stored time without a zone")
    return moment


def record_check(
    previous: EntitlementRecord | None, entitlement: Entitlement, *, now: datetime
) -> EntitlementRecord:
    """Return the record after a successful check at *now* (this computer's time)."""
    noticed: datetime | None = None
    if not entitlement.entitled:
        was_lapsed = previous is not None and previous.lapse_noticed_at is not None
        noticed = previous.lapse_noticed_at if was_lapsed and previous is not None else now
    return EntitlementRecord(entitlement, checked_locally_at=now, lapse_noticed_at=noticed)


class Standing(enum.StrEnum):
    """The account's standing as the app shows it."""

    CHECKING = "checking"
    TRIAL = "trial"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    OFFLINE = "offline"
    RECONNECT = "reconnect"
    LAPSED = "lapsed"


@dataclass(frozen=True, slots=True)
class Access:
    """What the practitioner may do now, and what to tell them.

    Attributes:
        standing: the standing shown.
        editing: whether calendar sync and editing sessions are allowed now.
        until: when the trial or paid period ends (trial, active, past due), or when the
            offline grace ends (offline); None when there is no end to show.
        paused_from: when sync and editing pause (or paused), once access is lost; None
            when they pause at once (access was never confirmed).
        complimentary: access granted by the service's staff, with no end.
        after_session: the pause is due but waits for the running session to end.
    """

    standing: Standing
    editing: bool = True
    until: datetime | None = None
    paused_from: datetime | None = None
    complimentary: bool = False
    after_session: bool = False

    @property
    def can_subscribe(self) -> bool:
        """Whether Subscribe makes sense (no paid or complimentary access now)."""
        return self.standing in {Standing.TRIAL, Standing.LAPSED} and not self.complimentary


_RUNNING = frozenset({Phase.HANDS_ON, Phase.WRAP_UP, Phase.OVERTIME})


def running_since(state: ClockState) -> datetime | None:
    """Return when the session running in *state* began, or None between sessions."""
    timing = state.current_timing
    return timing.start if timing is not None and state.phase in _RUNNING else None


def start_of_next_day(moment: datetime, tz: tzinfo) -> datetime:
    """Return when the day after *moment*'s day begins in *tz*."""
    return day_bounds(moment.astimezone(tz).date(), tz)[1]


_STANDING_OF = {
    EntitlementState.TRIAL: Standing.TRIAL,
    EntitlementState.ACTIVE: Standing.ACTIVE,
    EntitlementState.PAST_DUE: Standing.PAST_DUE,
    EntitlementState.LAPSED: Standing.LAPSED,
}


def access_at(
    record: EntitlementRecord | None,
    *,
    now: datetime,
    tz: tzinfo,
    reachable: bool | None,
    running_since: datetime | None,
) -> Access:
    """Return what the practitioner may do at *now*.

    Args:
        record: the last successful check, or None if there is none.
        now: the current time.
        tz: the practitioner's zone (the pause begins at the start of a day there).
        reachable: whether the latest attempt to reach the service succeeded (None: none yet
            in this run).
        running_since: when the session running now began, if one runs.
    """
    if record is None:
        if reachable is False:
            # Never checked (or the record is gone): no grace to count from.
            return _lost(Standing.RECONNECT, lost_at=None, now=now, tz=tz, running=running_since)
        return Access(Standing.CHECKING)
    entitlement = record.entitlement
    if not entitlement.entitled:
        noticed = record.lapse_noticed_at or record.checked_locally_at
        return _lost(Standing.LAPSED, lost_at=noticed, now=now, tz=tz, running=running_since)
    grace_end = record.checked_locally_at + GRACE
    if now >= grace_end:
        return _lost(Standing.RECONNECT, lost_at=grace_end, now=now, tz=tz, running=running_since)
    if reachable is False:
        return Access(Standing.OFFLINE, until=grace_end)
    return Access(
        _STANDING_OF[entitlement.state],
        until=entitlement.ends_at,
        complimentary=entitlement.source is EntitlementSource.COMPLIMENTARY,
    )


def _lost(
    standing: Standing,
    *,
    lost_at: datetime | None,
    now: datetime,
    tz: tzinfo,
    running: datetime | None,
) -> Access:
    if lost_at is None:
        # Nothing to count from: paused at once, except for a session already running.
        paused_from = None
        due = True
    else:
        paused_from = start_of_next_day(lost_at, tz)
        due = now >= paused_from
    waits = due and running is not None and (paused_from is None or running < paused_from)
    return Access(standing, editing=not due or waits, paused_from=paused_from, after_session=waits)


def _day(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}"


def describe(access: Access, *, tz: tzinfo, use_24h: bool = True) -> str:
    """Return the one line the window's status shows for *access*."""
    until = access.until
    standing = access.standing
    if standing is Standing.CHECKING:
        return "Checking your subscription…"
    if standing is Standing.TRIAL and until is not None:
        return f"Free trial · ends {_day(until, tz)}"
    if standing is Standing.ACTIVE:
        if access.complimentary or until is None:
            return "Subscribed · complimentary access"
        return f"Subscribed · paid until {_day(until, tz)}"
    if standing is Standing.PAST_DUE and until is not None:
        return f"Payment failed · update it by {_day(until, tz)}"
    if standing is Standing.OFFLINE and until is not None:
        return f"Offline · everything works until {_day(until, tz)}"
    lead = (
        "Offline for over 7 days: connect to check your subscription"
        if standing is Standing.RECONNECT
        else "Subscription ended"
    )
    paused = access.paused_from
    if access.after_session:
        return f"{lead} · syncing and editing pause when this session ends"
    if paused is None or not access.editing:
        return f"{lead} · syncing and editing paused"
    when = f"{_day(paused, tz)} {format_time(paused, tz=tz, use_24h=use_24h)}"
    return f"{lead} · syncing and editing pause from {when}"


def _date(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}"


def explain(access: Access, *, tz: tzinfo) -> str:
    """Return the Account page's sentence or two about *access*."""
    until = access.until
    keep = (
        "Your schedule and the clock stay as they are, and you can export your schedule at any "
        "time."
    )
    match access.standing:
        case Standing.CHECKING:
            return "Checking your subscription with the account service…"
        case Standing.TRIAL if until is not None:
            return (
                f"Your free trial ends on {_date(until, tz)}. Subscribe before then to keep "
                "syncing your calendar and editing your schedule."
            )
        case Standing.ACTIVE if until is not None and not access.complimentary:
            return (
                f"Your subscription is paid until {_date(until, tz)} and renews by itself. You "
                "can change or cancel it at any time in Stripe's customer portal."
            )
        case Standing.ACTIVE:
            return "Your account has complimentary access: there is nothing to pay."
        case Standing.PAST_DUE if until is not None:
            return (
                f"The last payment failed and Stripe will try again. Update your payment method "
                f"in the customer portal by {_date(until, tz)}."
            )
        case Standing.OFFLINE if until is not None:
            return (
                "The account service cannot be reached right now. Everything keeps working "
                f"until {_date(until, tz)} (7 days after the last successful check); connect to "
                "the internet before then."
            )
        case Standing.RECONNECT:
            return (
                "The account service has not been reached for over 7 days, so calendar sync and "
                f"editing {_pause(access, tz)} until it can check your subscription. {keep}"
            )
    return f"Your subscription has ended, so calendar sync and editing {_pause(access, tz)}. {keep}"


def _pause(access: Access, tz: tzinfo) -> str:
    if access.after_session:
        return "pause when the session under way ends"
    if access.editing and access.paused_from is not None:
        return f"pause from the start of {_date(access.paused_from, tz)}"
    return "are paused"


def pause_reason(access: Access) -> str:
    """Return what to do about a pause, in a sentence or two (shown where editing is paused)."""
    if access.standing is Standing.RECONNECT:
        what = "Connect to the internet so Session Clock can check your subscription."
    else:
        what = "Your subscription has ended: subscribe again in Account ▸ Your account."
    return f"{what} You can still export your schedule (Session ▸ Export schedule)."
