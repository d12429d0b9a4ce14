"""What an account may use right now, and what the desktop app needs to show and to work offline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sessionclock_service.clock import as_utc
from sessionclock_service.db.models import Account
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.tokens import Caller, own_account

PAID_STATUSES = frozenset({"active", "trialing"})
"""Stripe subscription statuses of a paid subscription in good standing."""

RETRYING_STATUSES = frozenset({"past_due"})
"""Stripe subscription statuses while Stripe retries a failed payment: access continues until
the end of the period, and the app asks the practitioner to update their payment method."""

ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})
"""Stripe subscription statuses after which there is nothing left to cancel."""

State = Literal["trial", "active", "past_due", "lapsed"]
Source = Literal["subscription", "complimentary", "trial", "none"]


@dataclass(frozen=True, kw_only=True)
class Entitlement:
    """The answer the desktop app asks for.

    Attributes:
        state: ``trial``, ``active`` (paid or complimentary), ``past_due`` (a payment failed and
            Stripe retries it; access continues until ``ends_at``) or ``lapsed``.
        entitled: Whether the account may sync and edit now (every state but ``lapsed``).
        source: Where access comes from: ``subscription``, ``complimentary``, ``trial``, ``none``.
        ends_at: When the current access ends, unless renewed: the trial's end or the paid
            period's end; ``None`` for complimentary access and when lapsed.
        trial_ends_at: When the trial ends (or ended).
        checked_at: The server's time of this answer (the app's offline grace counts from it).
    """

    state: State
    entitled: bool
    source: Source
    ends_at: datetime | None
    trial_ends_at: datetime
    checked_at: datetime


def entitlement_of(account: Account, *, now: datetime) -> Entitlement:
    """Return what *account* may use at *now*."""
    trial_end = as_utc(account.trial_ends_at)
    period_end = (
        as_utc(account.subscription_period_end)
        if account.subscription_period_end is not None
        else None
    )
    state: State
    source: Source
    ends_at: datetime | None
    status = account.subscription_status
    in_period = period_end is not None and period_end > now
    if account.complimentary:
        state, source, ends_at = "active", "complimentary", None
    elif status in PAID_STATUSES and in_period:
        state, source, ends_at = "active", "subscription", period_end
    elif status in RETRYING_STATUSES and in_period:
        state, source, ends_at = "past_due", "subscription", period_end
    elif trial_end > now:
        state, source, ends_at = "trial", "trial", trial_end
    else:
        state, source, ends_at = "lapsed", "none", None
    return Entitlement(
        state=state,
        entitled=state != "lapsed",
        source=source,
        ends_at=ends_at,
        trial_ends_at=trial_end,
        checked_at=now,
    )


def current_entitlement(services: Services, *, caller: Caller) -> Entitlement:
    """Return what the caller may use now (what the desktop app polls)."""
    now = services.clock.now()
    with services.db.read() as db:
        return entitlement_of(own_account(db, caller), now=now)
