"""Subscription use cases: Checkout, the customer portal and the Stripe webhook.

The customer and the price are always chosen here, from the caller's account and the one
configured price, never taken from the client. Webhook events are applied once each (their id
recorded in the transaction that applies them) and never trusted for the state they carry: the
subscription is re-read from Stripe before access changes, so events that arrive twice or out of
order converge on Stripe's current state.
"""

from __future__ import annotations

import logging
from datetime import datetime
from http import HTTPStatus

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sessionclock_service.db.models import Account, ProcessedWebhookEvent
from sessionclock_service.errors import ServiceError
from sessionclock_service.integrations.stripe import (
    StripeBilling,
    SubscriptionState,
    VerifiedEvent,
)
from sessionclock_service.usecases.entitlement import PAID_STATUSES, RETRYING_STATUSES
from sessionclock_service.usecases.messages import (
    payment_failed_message,
    subscription_confirmed_message,
)
from sessionclock_service.usecases.outbox import Outbox
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.tokens import Caller, own_account

logger = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)
"""The webhook events that can change an account's access."""


class BillingUnavailableError(ServiceError):
    """Raised when Stripe is not configured."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    message = (
        "Billing is not configured on this server (no Stripe key). "
        "Sign-up, the trial and complimentary access work without it."
    )


def require_billing(services: Services) -> StripeBilling:
    """Return the Stripe door or raise `BillingUnavailableError`."""
    if services.billing is None:
        raise BillingUnavailableError
    return services.billing


class AlreadySubscribedError(ServiceError):
    """Raised when Checkout is asked for an account that already pays."""

    status = HTTPStatus.CONFLICT
    message = "This account already has a subscription; manage it in the portal."


def start_checkout(services: Services, *, caller: Caller) -> str:
    """Return a Checkout address for the caller's account (customer and price chosen here)."""
    billing = require_billing(services)
    with services.db.read() as db:
        account = own_account(db, caller)
        if account.subscription_status in PAID_STATUSES | RETRYING_STATUSES:
            raise AlreadySubscribedError
        account_id, email, existing = account.id, account.email, account.stripe_customer_id
    customer_id = billing.ensure_customer(account_id=account_id, email=email, existing=existing)
    if customer_id != existing:
        with services.db.write() as db:
            db.execute(
                update(Account)
                .where(Account.id == account_id)
                .values(stripe_customer_id=customer_id)
            )
    return billing.checkout_url(account_id=account_id, customer_id=customer_id)


class NoCustomerError(ServiceError):
    """Raised when the portal is asked for an account that never went through Checkout."""

    status = HTTPStatus.CONFLICT
    message = "This account has no subscription to manage yet."


def open_portal(services: Services, *, caller: Caller) -> str:
    """Return a customer-portal address for the caller's own Stripe customer."""
    billing = require_billing(services)
    with services.db.read() as db:
        customer_id = own_account(db, caller).stripe_customer_id
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
    with services.db.write() as db:
        return _apply_event(
            db, event=event, state=state, outbox=services.outbox, now=services.clock.now()
        )


def _apply_event(
    db: Session,
    *,
    event: VerifiedEvent,
    state: SubscriptionState | None,
    outbox: Outbox,
    now: datetime,
) -> bool:
    """Record *event* and apply *state* (just read from Stripe) in the caller's transaction.

    Returns:
        False when the event was already applied (a replay), True otherwise.
    """
    if db.get(ProcessedWebhookEvent, event.event_id) is not None:
        return False
    try:
        # A savepoint, so a concurrent worker that recorded the same id first turns this into
        # a replay instead of an aborted transaction.
        with db.begin_nested():
            db.add(
                ProcessedWebhookEvent(
                    event_id=event.event_id, event_type=event.event_type, processed_at=now
                )
            )
    except IntegrityError:
        return False
    if event.event_type not in SUBSCRIPTION_EVENTS or event.subscription_id is None:
        return True
    customer_id = state.customer_id if state is not None else event.customer_id
    account = None
    if customer_id is not None:
        account = db.scalar(select(Account).where(Account.stripe_customer_id == customer_id))
    if account is None:
        account = db.scalar(
            select(Account).where(Account.stripe_subscription_id == event.subscription_id)
        )
    if account is None:
        logger.info("Webhook %s concerns no known account; ignored.", event.event_id)
        return True
    was_paid = account.subscription_status in PAID_STATUSES
    if state is None:
        # Stripe no longer knows the subscription: it is gone.
        if account.stripe_subscription_id == event.subscription_id:
            account.subscription_status = "canceled"
    elif (
        account.stripe_subscription_id in (None, state.subscription_id)
        or state.status in PAID_STATUSES
    ):
        account.stripe_subscription_id = state.subscription_id
        account.subscription_status = state.status
        account.subscription_period_end = state.period_end
    if not was_paid and account.subscription_status in PAID_STATUSES:
        outbox.enqueue(
            db,
            kind="subscription_confirmed",
            message=subscription_confirmed_message(
                to=account.email, until=account.subscription_period_end
            ),
        )
    if event.event_type == "invoice.payment_failed":
        outbox.enqueue(db, kind="payment_failed", message=payment_failed_message(to=account.email))
    return True


def apply_state(account: Account, *, state: SubscriptionState | None) -> None:
    """Apply a subscription just read from Stripe to *account* (after an admin cancellation)."""
    if state is None:
        account.subscription_status = "canceled"
        return
    account.stripe_subscription_id = state.subscription_id
    account.subscription_status = state.status
    account.subscription_period_end = state.period_end
