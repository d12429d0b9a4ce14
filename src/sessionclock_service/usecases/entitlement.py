"""What an account may use right now: "active until", "trial until" or "lapsed"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sessionclock_service.clock import as_utc
from sessionclock_service.db.models import Account
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.tokens import Caller

PAID_STATUSES = frozenset({"active", "trialing"})
"""Stripe subscription statuses that give access."""

ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})
"""Stripe subscription statuses after which there is nothing left to cancel."""


@dataclass(frozen=True, kw_only=True)
class Entitlement:
    """The answer the desktop app asks for.

    Attributes:
        status: ``active`` (paid or complimentary), ``trial`` or ``lapsed``.
        until: When the current access ends; ``None`` for complimentary access and lapsed.
        source: ``subscription``, ``complimentary``, ``trial`` or ``none``.
    """

    status: Literal["active", "trial", "lapsed"]
    until: datetime | None
    source: Literal["subscription", "complimentary", "trial", "none"]


def entitlement_of(account: Account, *, now: datetime) -> Entitlement:
    """Return what *account* may use at *now*."""
    if account.complimentary:
        return Entitlement(status="active", until=None, source="complimentary")
    period_end = (
        as_utc(account.subscription_period_end)
        if account.subscription_period_end is not None
        else None
    )
    if account.subscription_status in PAID_STATUSES and period_end is not None and period_end > now:
        return Entitlement(status="active", until=period_end, source="subscription")
    trial_end = as_utc(account.trial_ends_at)
    if trial_end > now:
        return Entitlement(status="trial", until=trial_end, source="trial")
    return Entitlement(status="lapsed", until=None, source="none")


def current_entitlement(services: Services, *, caller: Caller) -> Entitlement:
    """Return what the caller may use now (what the desktop app polls)."""
    now = services.clock.now()
    with services.db.read() as db:
        return entitlement_of(db.get_one(Account, caller.account_id), now=now)
