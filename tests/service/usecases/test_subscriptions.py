"""Stripe billing against a fake Stripe on loopback, through the real stripe library."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe, sign_webhook, stripe_event
from tests.support.service import PASSWORD, Customer, MutableClock, sign_up_and_in


def _checkout(client: TestClient, customer: Customer) -> str:
    r = client.post("/v1/billing/checkout", headers=customer.headers)
    assert r.status_code == 200, r.text
    assert r.json()["url"].startswith("https://checkout.stripe.test/")
    url: str = r.json()["url"]
    return url


def _customer_id(fake: FakeStripe) -> str:
    assert len(fake.customers) == 1
    return next(iter(fake.customers))


def _send(client: TestClient, payload: str, signature: str | None = None) -> Any:
    headers = {"Stripe-Signature": signature or sign_webhook(payload)}
    return client.post(
        "/v1/stripe/webhook",
        content=payload.encode(),
        headers={**headers, "Content-Type": "application/json"},
    )


def _entitlement(client: TestClient, customer: Customer) -> dict[str, Any]:
    r = client.get("/v1/entitlement", headers=customer.headers)
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def _subscribe(
    client: TestClient, customer: Customer, fake: FakeStripe, *, period_end: datetime
) -> tuple[str, str]:
    _checkout(client, customer)
    cus = _customer_id(fake)
    sub = fake.put_subscription(customer=cus, status="active", period_end=period_end)
    payload = stripe_event(
        "checkout.session.completed",
        {"id": "cs_1", "object": "checkout.session", "customer": cus, "subscription": sub},
    )
    r = _send(client, payload)
    assert r.status_code == 200, r.text
    return cus, sub


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def period_end(clock: MutableClock) -> datetime:
    """End of a paid period a month ahead (whole seconds, as Stripe sends it)."""
    return (clock.now() + timedelta(days=30)).replace(microsecond=0)


def test_without_stripe_billing_answers_503_and_the_rest_works(
    make_client: Callable[..., TestClient],
    fake_resend: FakeResend,
) -> None:
    client = make_client(stripe_api_key="", stripe_webhook_secret="", stripe_price_id="")
    customer = sign_up_and_in(client, fake_resend)
    for path in ["/v1/billing/checkout", "/v1/billing/portal"]:
        r = client.post(path, headers=customer.headers)
        assert r.status_code == 503
        assert "Billing is not configured" in r.json()["detail"]
    payload = stripe_event("invoice.paid", {"id": "in_1", "object": "invoice"})
    assert _send(client, payload).status_code == 503
    assert _entitlement(client, customer)["state"] == "trial"


def test_checkout_sends_stripe_only_the_account_id_and_email(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe
) -> None:
    _checkout(client, customer)
    creates = [r for r in fake_stripe.requests if r.path == "/v1/customers"]
    assert len(creates) == 1
    assert set(creates[0].params) == {"email", "metadata"}
    assert creates[0].params["email"] == customer.email
    assert set(creates[0].params["metadata"]) == {"account_id"}
    session = next(r for r in fake_stripe.requests if r.path == "/v1/checkout/sessions")
    assert session.params["mode"] == "subscription"
    assert session.params["line_items"] == [{"price": "price_monthly", "quantity": "1"}]
    assert session.params["customer"] == _customer_id(fake_stripe)
    assert session.headers["authorization"] == "Bearer sk_test_fake"
    # A second Checkout reuses the customer.
    _checkout(client, customer)
    assert len([r for r in fake_stripe.requests if r.path == "/v1/customers"]) == 1


def test_portal_needs_a_customer_then_opens(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe
) -> None:
    r = client.post("/v1/billing/portal", headers=customer.headers)
    assert r.status_code == 409
    _checkout(client, customer)
    r = client.post("/v1/billing/portal", headers=customer.headers)
    assert r.status_code == 200
    assert r.json()["url"].startswith("https://billing.stripe.test/")
    portal = next(r for r in fake_stripe.requests if r.path == "/v1/billing_portal/sessions")
    assert portal.params["customer"] == _customer_id(fake_stripe)


def test_checkout_completed_grants_access_and_confirms_by_email(
    client: TestClient,
    customer: Customer,
    fake_stripe: FakeStripe,
    fake_resend: FakeResend,
    period_end: datetime,
) -> None:
    _subscribe(client, customer, fake_stripe, period_end=period_end)
    entitlement = _entitlement(client, customer)
    assert (entitlement["state"], entitlement["entitled"], entitlement["source"]) == (
        "active",
        True,
        "subscription",
    )
    assert entitlement["ends_at"] == _iso(period_end)
    assert [m.payload["subject"] for m in fake_resend.sent] == [
        "Your Session Clock subscription is active"
    ]
    # Checkout is refused once subscribed.
    assert client.post("/v1/billing/checkout", headers=customer.headers).status_code == 409


def test_event_state_is_never_trusted_stripe_is_reread(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe, period_end: datetime
) -> None:
    _checkout(client, customer)
    cus = _customer_id(fake_stripe)
    sub = fake_stripe.put_subscription(customer=cus, status="incomplete", period_end=period_end)
    # The event claims "active"; Stripe says "incomplete": no access.
    payload = stripe_event(
        "customer.subscription.created",
        {"id": sub, "object": "subscription", "customer": cus, "status": "active"},
    )
    assert _send(client, payload).status_code == 200
    assert _entitlement(client, customer)["state"] == "trial"
    assert any(
        r.method == "GET" and r.path == f"/v1/subscriptions/{sub}" for r in fake_stripe.requests
    )


def test_invoice_paid_extends_the_period(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe, period_end: datetime
) -> None:
    cus, sub = _subscribe(client, customer, fake_stripe, period_end=period_end)
    later = period_end + timedelta(days=30)
    fake_stripe.put_subscription(customer=cus, status="active", period_end=later, sub_id=sub)
    invoice = {
        "id": "in_1",
        "object": "invoice",
        "customer": cus,
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub}},
    }
    assert _send(client, stripe_event("invoice.paid", invoice)).status_code == 200
    assert _entitlement(client, customer)["ends_at"] == _iso(later)


def test_payment_failed_sends_one_email(
    client: TestClient,
    customer: Customer,
    fake_stripe: FakeStripe,
    fake_resend: FakeResend,
    period_end: datetime,
) -> None:
    cus, sub = _subscribe(client, customer, fake_stripe, period_end=period_end)
    fake_stripe.put_subscription(customer=cus, status="past_due", period_end=period_end, sub_id=sub)
    invoice = {
        "id": "in_2",
        "object": "invoice",
        "customer": cus,
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub}},
    }
    payload = stripe_event("invoice.payment_failed", invoice)
    assert _send(client, payload).status_code == 200
    assert _send(client, payload).json()["detail"] == "already applied"
    subjects = [m.payload["subject"] for m in fake_resend.sent]
    assert subjects.count("Session Clock: a payment failed") == 1
    # Stripe retries the payment: access continues to the period's end, marked past_due.
    entitlement = _entitlement(client, customer)
    assert (entitlement["state"], entitlement["entitled"]) == ("past_due", True)
    assert entitlement["ends_at"] == _iso(period_end)
    assert client.post("/v1/billing/checkout", headers=customer.headers).status_code == 409
    for message in fake_resend.sent:
        assert "Bearer" not in message.payload["text"]


def test_subscription_deleted_lapses_access(
    client: TestClient,
    customer: Customer,
    fake_stripe: FakeStripe,
    clock: MutableClock,
    period_end: datetime,
) -> None:
    cus, sub = _subscribe(client, customer, fake_stripe, period_end=period_end)
    clock.advance(timedelta(days=20))  # trial is over
    fake_stripe.subscriptions[sub]["status"] = "canceled"
    payload = stripe_event(
        "customer.subscription.deleted", {"id": sub, "object": "subscription", "customer": cus}
    )
    assert _send(client, payload).status_code == 200
    assert _entitlement(client, customer)["state"] == "lapsed"


def test_out_of_order_events_converge_on_stripes_state(
    client: TestClient,
    customer: Customer,
    fake_stripe: FakeStripe,
    clock: MutableClock,
    period_end: datetime,
) -> None:
    cus, sub = _subscribe(client, customer, fake_stripe, period_end=period_end)
    clock.advance(timedelta(days=20))
    fake_stripe.subscriptions[sub]["status"] = "canceled"
    deleted = stripe_event(
        "customer.subscription.deleted", {"id": sub, "object": "subscription", "customer": cus}
    )
    older_update = stripe_event(
        "customer.subscription.updated",
        {"id": sub, "object": "subscription", "customer": cus, "status": "active"},
    )
    assert _send(client, deleted).status_code == 200
    assert _send(client, older_update).status_code == 200  # arrives late, claims "active"
    assert _entitlement(client, customer)["state"] == "lapsed"


def test_replayed_event_is_applied_once(
    client: TestClient,
    customer: Customer,
    fake_stripe: FakeStripe,
    fake_resend: FakeResend,
    period_end: datetime,
) -> None:
    _checkout(client, customer)
    cus = _customer_id(fake_stripe)
    sub = fake_stripe.put_subscription(customer=cus, status="active", period_end=period_end)
    payload = stripe_event(
        "customer.subscription.created", {"id": sub, "object": "subscription", "customer": cus}
    )
    first = _send(client, payload)
    second = _send(client, payload, sign_webhook(payload))
    assert first.json()["detail"] == "applied"
    assert second.status_code == 200 and second.json()["detail"] == "already applied"
    assert len(fake_resend.sent) == 1


def test_forged_signature_is_refused_and_changes_nothing(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe, period_end: datetime
) -> None:
    _checkout(client, customer)
    cus = _customer_id(fake_stripe)
    sub = fake_stripe.put_subscription(customer=cus, status="active", period_end=period_end)
    payload = stripe_event(
        "customer.subscription.created", {"id": sub, "object": "subscription", "customer": cus}
    )
    forged = sign_webhook(payload, secret="whsec_attacker_guess_000000000000000")
    assert _send(client, payload, forged).status_code == 400
    assert client.post("/v1/stripe/webhook", content=payload.encode()).status_code == 400
    tampered = payload.replace('"livemode": false', '"livemode": true')
    assert _send(client, tampered, sign_webhook(payload)).status_code == 400
    assert _send(client, payload, "garbage").status_code == 400
    assert _entitlement(client, customer)["state"] == "trial"
    # Nothing was recorded: the genuine delivery still applies.
    assert _send(client, payload).json()["detail"] == "applied"
    assert _entitlement(client, customer)["state"] == "active"


@pytest.mark.parametrize(
    "payload",
    [
        "[]",
        '"an event"',
        "null",
        "{}",
        '{"id": "evt_1"}',
        '{"id": "evt_1", "type": "invoice.paid"}',
        '{"id": "evt_1", "type": "invoice.paid", "data": "x"}',
        '{"id": "evt_1", "type": "invoice.paid", "data": {"object": []}}',
        '{"id": 5, "type": "invoice.paid", "data": {"object": {}}}',
        '{"id": "evt_1", "type": ["invoice.paid"], "data": {"object": {}}}',
        '{"id": "' + "e" * 300 + '", "type": "invoice.paid", "data": {"object": {}}}',
    ],
)
def test_a_verified_but_malformed_event_is_refused_and_recorded_nowhere(
    client: TestClient, payload: str
) -> None:
    r = _send(client, payload)
    assert r.status_code == 400
    assert r.json() == {"detail": "The webhook is not a Stripe event."}
    # Nothing was recorded: the same id in a real event still applies.
    real = stripe_event("customer.updated", {"id": "cus_x", "object": "customer"}, event_id="evt_1")
    assert _send(client, real).json()["detail"] == "applied"


@pytest.mark.parametrize("offset", [-3600, -301, 3600], ids=["hour-old", "just-stale", "future"])
def test_stale_or_future_timestamps_are_refused(
    client: TestClient,
    customer: Customer,
    fake_stripe: FakeStripe,
    period_end: datetime,
    offset: int,
) -> None:
    _checkout(client, customer)
    cus = _customer_id(fake_stripe)
    sub = fake_stripe.put_subscription(customer=cus, status="active", period_end=period_end)
    payload = stripe_event(
        "customer.subscription.created", {"id": sub, "object": "subscription", "customer": cus}
    )
    signature = sign_webhook(payload, timestamp=int(time.time()) + offset)
    assert _send(client, payload, signature).status_code == 400
    assert _entitlement(client, customer)["state"] == "trial"


def test_events_for_unknown_customers_and_other_types_are_acknowledged(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe, period_end: datetime
) -> None:
    stranger = fake_stripe.put_subscription(
        customer="cus_elsewhere", status="active", period_end=period_end
    )
    payload = stripe_event(
        "customer.subscription.updated", {"id": stranger, "object": "subscription"}
    )
    assert _send(client, payload).status_code == 200
    other = stripe_event("charge.refunded", {"id": "ch_1", "object": "charge"})
    assert _send(client, other).status_code == 200
    assert _entitlement(client, customer)["state"] == "trial"


def test_stripe_down_during_webhook_answers_502_and_stripe_retries(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe, period_end: datetime
) -> None:
    _checkout(client, customer)
    cus = _customer_id(fake_stripe)
    sub = fake_stripe.put_subscription(customer=cus, status="active", period_end=period_end)
    payload = stripe_event(
        "customer.subscription.created", {"id": sub, "object": "subscription", "customer": cus}
    )
    fake_stripe.fail_with = 500
    assert _send(client, payload).status_code == 502
    fake_stripe.fail_with = None
    assert _send(client, payload).json()["detail"] == "applied"
    assert _entitlement(client, customer)["state"] == "active"


def test_account_deletion_cancels_and_deletes_at_stripe(
    client: TestClient,
    customer: Customer,
    fake_stripe: FakeStripe,
    fake_resend: FakeResend,
    period_end: datetime,
) -> None:
    cus, sub = _subscribe(client, customer, fake_stripe, period_end=period_end)
    r = client.request(
        "DELETE", "/v1/account", headers=customer.headers, json={"password": PASSWORD}
    )
    assert r.status_code == 204
    assert fake_stripe.subscriptions[sub]["status"] == "canceled"
    assert cus not in fake_stripe.customers
    assert any(
        r.method == "DELETE" and r.path == f"/v1/subscriptions/{sub}" for r in fake_stripe.requests
    )
    assert fake_resend.sent[-1].payload["subject"] == "Your Session Clock account was deleted"


def test_account_deletion_waits_when_stripe_is_down(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe, period_end: datetime
) -> None:
    _subscribe(client, customer, fake_stripe, period_end=period_end)
    fake_stripe.fail_with = 500
    r = client.request(
        "DELETE", "/v1/account", headers=customer.headers, json={"password": PASSWORD}
    )
    assert r.status_code == 502
    fake_stripe.fail_with = None
    assert client.get("/v1/account", headers=customer.headers).status_code == 200


def test_oversized_webhook_is_refused(client: TestClient) -> None:
    payload = "x" * (512 * 1024 + 1)
    r = client.post(
        "/v1/stripe/webhook", content=payload.encode(), headers={"Stripe-Signature": "t=1,v1=0"}
    )
    assert r.status_code == 413


def test_deletion_after_cancellation_only_deletes_the_customer(
    client: TestClient, customer: Customer, fake_stripe: FakeStripe, period_end: datetime
) -> None:
    cus, sub = _subscribe(client, customer, fake_stripe, period_end=period_end)
    fake_stripe.subscriptions[sub]["status"] = "canceled"
    payload = stripe_event(
        "customer.subscription.deleted", {"id": sub, "object": "subscription", "customer": cus}
    )
    assert _send(client, payload).status_code == 200
    r = client.request(
        "DELETE", "/v1/account", headers=customer.headers, json={"password": PASSWORD}
    )
    assert r.status_code == 204
    assert not any(
        r.method == "DELETE" and r.path.startswith("/v1/subscriptions/")
        for r in fake_stripe.requests
    )
    assert cus not in fake_stripe.customers


@pytest.mark.allow_warning_logs
def test_a_webhook_version_mismatch_is_reported(
    client: TestClient, customer: Customer, caplog: pytest.LogCaptureFixture
) -> None:
    payload = stripe_event("charge.refunded", {"id": "ch_1", "object": "charge"}).replace(
        "2026-10-28.endive", "2024-06-20"
    )
    assert _send(client, payload).status_code == 200
    assert "align them in Stripe" in caplog.text
