"""Subscription use cases: Checkout, the customer portal and the Stripe webhook."""

from __future__ import annotations

from sqlalchemy import update

from sessionclock_service.accounts import Caller
from sessionclock_service.billing import (
    BILLING_UNAVAILABLE,
    BillingError,
    StripeBilling,
    apply_event,
)
from sessionclock_service.entitlement import PAID_STATUSES
from sessionclock_service.models import Account
from sessionclock_service.services import Services


class BillingUnavailableError(Exception):
    """Raised when Stripe is not configured; billing routes answer 503 with its message."""

    def __init__(self) -> None:
        super().__init__(BILLING_UNAVAILABLE)


class AlreadySubscribedError(Exception):
    """Raised when Checkout is asked for an account that already pays."""


class NoCustomerError(Exception):
    """Raised when the portal is asked for an account that never went through Checkout."""


def require_billing(services: Services) -> StripeBilling:
    """Return the Stripe door or raise `BillingUnavailableError`."""
    if services.billing is None:
        raise BillingUnavailableError
    return services.billing


def start_checkout(services: Services, *, caller: Caller) -> str:
    """Return a Checkout address for the caller's account (customer and price chosen here)."""
    billing = require_billing(services)
    with services.sessions() as db:
        account = db.get_one(Account, caller.account_id)
        if account.subscription_status in PAID_STATUSES:
            raise AlreadySubscribedError
        account_id, email, existing = account.id, account.email, account.stripe_customer_id
    customer_id = billing.ensure_customer(account_id=account_id, email=email, existing=existing)
    if customer_id != existing:
        with services.sessions() as db, db.begin():
            db.execute(
                update(Account)
                .where(Account.id == account_id)
                .values(stripe_customer_id=customer_id)
            )
    return billing.checkout_url(account_id=account_id, customer_id=customer_id)


def open_portal(services: Services, *, caller: Caller) -> str:
    """Return a customer-portal address for the caller's own Stripe customer."""
    billing = require_billing(services)
    with services.sessions() as db:
        customer_id = db.get_one(Account, caller.account_id).stripe_customer_id
    if not customer_id:
        raise NoCustomerError
    return billing.portal_url(customer_id=customer_id)


def handle_webhook(services: Services, *, payload: bytes, signature: str | None) -> bool:
    """Verify, re-read and apply one webhook event; return False for a replay.

    Raises:
        BillingUnavailableError: Stripe is not configured.
        WebhookRejectedError: The signature or timestamp does not verify.
        BillingError: Stripe could not be asked for the subscription (Stripe retries later;
            nothing was recorded).
    """
    billing = require_billing(services)
    event = billing.verify_event(payload, signature)
    state = None
    if event.subscription_id is not None:
        # Never trust the state carried by the event: read the subscription now.
        state = billing.read_subscription(event.subscription_id)
    with services.sessions() as db, db.begin():
        return apply_event(
            db, event=event, state=state, outbox=services.outbox, now=services.clock.now()
        )


__all__ = [
    "AlreadySubscribedError",
    "BillingError",
    "BillingUnavailableError",
    "NoCustomerError",
    "handle_webhook",
    "open_portal",
    "require_billing",
    "start_checkout",
]
