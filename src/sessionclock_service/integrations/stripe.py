"""Stripe's HTTP API through the official SDK: customers, Checkout, the portal, webhooks.

An adapter only: it turns the service's questions into Stripe calls (at a configurable base
address, so tests run it against a fake Stripe on loopback) and Stripe's answers into small
values. Stripe receives an account's id and e-mail only. Webhooks are verified on the raw body;
what an event changes is decided by the use cases (`usecases.subscriptions`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import stripe

from sessionclock_service.clock import Clock
from sessionclock_service.errors import ServiceError
from sessionclock_service.settings import Settings

logger = logging.getLogger(__name__)


class BillingError(ServiceError):
    """Raised when Stripe could not be reached or refused a request; its message is safe to show."""

    status = HTTPStatus.BAD_GATEWAY
    message = "Stripe could not be reached."


class WebhookRejectedError(ServiceError):
    """Raised when a webhook's signature or timestamp does not verify."""

    status = HTTPStatus.BAD_REQUEST
    message = "The webhook signature does not verify."


class WebhookMalformedError(ServiceError):
    """Raised when a verified webhook is not shaped like an event (nothing is recorded)."""

    status = HTTPStatus.BAD_REQUEST
    message = "The webhook is not a Stripe event."


@dataclass(frozen=True, kw_only=True)
class SubscriptionState:
    """A subscription as just read from Stripe.

    Attributes:
        subscription_id: Stripe's id.
        customer_id: The Stripe customer it belongs to.
        status: Stripe's status (``active``, ``past_due``, ``canceled`` ...).
        period_end: The latest ``current_period_end`` of its items (where it lives since API
            version 2025-03-31).
    """

    subscription_id: str
    customer_id: str
    status: str
    period_end: datetime | None


@dataclass(frozen=True, kw_only=True)
class VerifiedEvent:
    """A verified webhook event, reduced to what the service uses.

    Attributes:
        event_id: Stripe's event id, recorded once applied.
        event_type: The event type.
        subscription_id: The subscription the event is about, if any.
        customer_id: The customer the event is about, if any.
    """

    event_id: str
    event_type: str
    subscription_id: str | None
    customer_id: str | None


class StripeBilling:
    """The service's only door to Stripe, with a configurable base address."""

    def __init__(self, *, settings: Settings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock
        self._client = stripe.StripeClient(
            settings.stripe_api_key,
            base_addresses={"api": settings.stripe_api_base},
            max_network_retries=2,
        )

    # -- customers, Checkout, portal ---------------------------------------------------------

    def ensure_customer(self, *, account_id: str, email: str, existing: str | None) -> str:
        """Return the account's Stripe customer id, creating the customer when needed."""
        if existing:
            return existing
        try:
            customer = self._client.v1.customers.create(
                {"email": email, "metadata": {"account_id": account_id}},
                {"idempotency_key": f"customer-{account_id}"},
            )
        except stripe.StripeError as exc:
            raise BillingError("Stripe could not create the customer.") from exc
        return str(customer.id)

    def checkout_url(self, *, account_id: str, customer_id: str) -> str:
        """Create a Checkout session for the one allowed price and return its address."""
        base = self._settings.public_base_url.rstrip("/")
        try:
            session = self._client.v1.checkout.sessions.create(
                {
                    "mode": "subscription",
                    "customer": customer_id,
                    "client_reference_id": account_id,
                    "line_items": [{"price": self._settings.stripe_price_id, "quantity": 1}],
                    "subscription_data": {"metadata": {"account_id": account_id}},
                    "success_url": f"{base}/billing/done",
                    "cancel_url": f"{base}/billing/cancelled",
                }
            )
        except stripe.StripeError as exc:
            raise BillingError("Stripe could not start Checkout.") from exc
        if not session.url:
            raise BillingError("Stripe returned no Checkout address.")
        return str(session.url)

    def portal_url(self, *, customer_id: str) -> str:
        """Create a customer-portal session and return its address."""
        base = self._settings.public_base_url.rstrip("/")
        try:
            session = self._client.v1.billing_portal.sessions.create(
                {"customer": customer_id, "return_url": f"{base}/billing/done"}
            )
        except stripe.StripeError as exc:
            raise BillingError("Stripe could not open the customer portal.") from exc
        return str(session.url)

    def cancel_subscription(self, *, subscription_id: str) -> None:
        """Cancel a subscription now; an already cancelled or missing one is fine."""
        try:
            self._client.v1.subscriptions.cancel(subscription_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404 and exc.code != "resource_missing":
                raise BillingError("Stripe could not cancel the subscription.") from exc
        except stripe.StripeError as exc:
            raise BillingError("Stripe could not cancel the subscription.") from exc

    def delete_customer(self, *, customer_id: str) -> None:
        """Delete a Stripe customer; a missing one is fine."""
        try:
            self._client.v1.customers.delete(customer_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status != 404:
                raise BillingError("Stripe could not delete the customer.") from exc
        except stripe.StripeError as exc:
            raise BillingError("Stripe could not delete the customer.") from exc

    def read_subscription(self, subscription_id: str) -> SubscriptionState | None:
        """Read a subscription from Stripe; ``None`` when Stripe does not know it."""
        try:
            sub = self._client.v1.subscriptions.retrieve(subscription_id)
        except stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return None
            raise BillingError("Stripe could not read the subscription.") from exc
        except stripe.StripeError as exc:
            raise BillingError("Stripe could not read the subscription.") from exc
        data: dict[str, Any] = sub.to_dict()
        # Since API version 2025-03-31 current_period_end lives on the subscription items.
        ends = [
            int(item["current_period_end"])
            for item in (_get(_get(data, "items"), "data") or [])
            if _get(item, "current_period_end") is not None
        ]
        customer = data["customer"]
        return SubscriptionState(
            subscription_id=str(data["id"]),
            customer_id=str(customer if isinstance(customer, str) else customer["id"]),
            status=str(data["status"]),
            period_end=datetime.fromtimestamp(max(ends), UTC) if ends else None,
        )

    # -- webhooks ----------------------------------------------------------------------------

    def verify_event(self, payload: bytes, signature: str | None) -> VerifiedEvent:
        """Verify a webhook on its raw body and extract what the service needs.

        Raises:
            WebhookRejectedError: On a missing, forged or stale signature, or a timestamp from the
                future (the SDK only rejects old ones).
            WebhookMalformedError: When the signed body is not shaped like an event.
        """
        if not signature:
            raise WebhookRejectedError
        tolerance = self._settings.stripe_webhook_tolerance_seconds
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, self._settings.stripe_webhook_secret, tolerance=tolerance
            )
        except (stripe.SignatureVerificationError, ValueError, KeyError, IndexError) as exc:
            raise WebhookRejectedError from exc
        except AttributeError as exc:
            # Verified, but the body is JSON other than an object (a list, a string, null).
            raise WebhookMalformedError from exc
        timestamp = _signature_timestamp(signature)
        if timestamp is None or timestamp - self._clock.now().timestamp() > tolerance:
            raise WebhookRejectedError
        version = _get(event, "api_version")
        if version is not None and version != stripe.api_version:
            # Payloads are rendered in the endpoint's version; an older one would put the
            # invoice's subscription elsewhere. The subscription itself is re-read anyway.
            logger.warning(
                "Webhook endpoint sends API version %s, the SDK speaks %s: align them in Stripe.",
                version,
                stripe.api_version,
            )
        try:
            return _reduce_event(event)
        except (KeyError, TypeError, IndexError, ValueError) as exc:
            raise WebhookMalformedError from exc


def _signature_timestamp(header: str) -> int | None:
    for part in header.split(","):
        key, _, value = part.partition("=")
        if key.strip() == "t":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _get(obj: Any, key: str) -> Any:
    try:
        return obj[key]
    except (KeyError, TypeError, IndexError):
        return None


def _as_id(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    found = _get(value, "id")
    return found if isinstance(found, str) else None


def _reduce_event(event: Any) -> VerifiedEvent:
    event_id, event_type = event["id"], event["type"]
    for value, longest in ((event_id, 255), (event_type, 100)):
        if not isinstance(value, str) or not 0 < len(value) <= longest:
            raise ValueError("not an event id or type")
    obj = event["data"]["object"]
    if not isinstance(obj, (dict, stripe.StripeObject)):
        raise TypeError("the event's object is not an object")
    subscription_id: str | None = None
    customer_id = _as_id(_get(obj, "customer"))
    if event_type == "checkout.session.completed":
        subscription_id = _as_id(_get(obj, "subscription"))
    elif event_type.startswith("customer.subscription."):
        subscription_id = _as_id(_get(obj, "id"))
    elif event_type.startswith("invoice."):
        # Since API version 2025-03-31 the invoice's subscription lives under parent.
        details = _get(_get(obj, "parent"), "subscription_details")
        subscription_id = _as_id(_get(details, "subscription"))
    return VerifiedEvent(
        event_id=event_id,
        event_type=event_type,
        subscription_id=subscription_id,
        customer_id=customer_id,
    )
