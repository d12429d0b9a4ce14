"""The admin area over HTTP: staff sign-in, CSRF, search, grants, cancellation, audit log."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.support.admin import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    account_id_of,
    csrf_of,
)
from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe, sign_webhook, stripe_event
from tests.support.service import Customer, MutableClock, sign_up_and_in


def page_csrf(staff: TestClient) -> str:
    """Return the CSRF token from a signed-in page."""
    return csrf_of(staff.get("/admin").text)


def test_sign_in_page_and_wrong_password(client: TestClient, staff: TestClient) -> None:
    other = TestClient(client.app)
    form = other.get("/admin/login")
    r = other.post(
        "/admin/login",
        data={"email": STAFF_EMAIL, "password": "wrong password", "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 401
    assert "Incorrect e-mail or password." in r.text
    assert other.get("/admin", follow_redirects=False).status_code == 303


def test_sign_in_form_needs_its_csrf_token(client: TestClient, staff: TestClient) -> None:
    other = TestClient(client.app)
    other.get("/admin/login")
    r = other.post(
        "/admin/login",
        data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert r.status_code == 403


def test_customer_accounts_cannot_sign_in_to_admin(client: TestClient, customer: Customer) -> None:
    other = TestClient(client.app)
    form = other.get("/admin/login")
    r = other.post(
        "/admin/login",
        data={
            "email": customer.email,
            "password": customer.password,
            "csrf_token": csrf_of(form.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 401
    r = other.get("/admin", headers=customer.headers, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/login"


def test_search_grant_revoke_and_audit(
    client: TestClient, staff: TestClient, customer: Customer
) -> None:
    account_id = account_id_of(staff, customer.email.split("@")[0])
    page = staff.get(f"/admin/accounts/{account_id}")
    assert customer.email in page.text and "trial until" in page.text
    csrf = csrf_of(page.text)

    r = staff.post(
        f"/admin/accounts/{account_id}/grant", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    granted = client.get("/v1/entitlement", headers=customer.headers).json()
    assert (granted["state"], granted["entitled"], granted["ends_at"], granted["source"]) == (
        "active",
        True,
        None,
        "complimentary",
    )
    r = staff.post(
        f"/admin/accounts/{account_id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert client.get("/v1/entitlement", headers=customer.headers).json()["source"] == "trial"

    audit = staff.get("/admin/audit").text
    for action in [
        "sign_in",
        "search",
        "view_account",
        "grant_complimentary",
        "revoke_complimentary",
    ]:
        assert action in audit
    assert audit.count(account_id) >= 3


def test_state_changes_without_csrf_are_refused(
    client: TestClient, staff: TestClient, customer: Customer
) -> None:
    account_id = account_id_of(staff, customer.email)
    for data in [{}, {"csrf_token": "not-the-token"}]:
        r = staff.post(f"/admin/accounts/{account_id}/grant", data=data, follow_redirects=False)
        assert r.status_code == 403
    assert client.get("/v1/entitlement", headers=customer.headers).json()["source"] == "trial"
    assert "grant_complimentary" not in staff.get("/admin/audit").text


def test_the_account_page_says_only_its_own_notices(staff: TestClient, customer: Customer) -> None:
    account_id = account_id_of(staff, customer.email.split("@")[0])
    page = staff.get(f"/admin/accounts/{account_id}?notice=granted")
    assert "Complimentary access granted." in page.text
    crafted = staff.get(f"/admin/accounts/{account_id}?notice=Call+555-0100+to+verify")
    assert "555-0100" not in crafted.text
    assert 'id="notice"' not in crafted.text


def test_missing_account_page(staff: TestClient) -> None:
    r = staff.get("/admin/accounts/0123456789abcdef0123456789abcdef")
    assert r.status_code == 404
    r = staff.post(
        "/admin/accounts/0123456789abcdef0123456789abcdef/grant",
        data={"csrf_token": page_csrf(staff)},
        follow_redirects=False,
    )
    assert r.status_code == 404


def test_search_text_is_escaped_and_wildcards_are_literal(
    client: TestClient, staff: TestClient, customer: Customer
) -> None:
    r = staff.get("/admin", params={"q": "%"})
    assert "No account matches." in r.text
    r = staff.get("/admin", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;" in r.text


def test_cancel_subscription(
    client: TestClient,
    staff: TestClient,
    customer: Customer,
    fake_stripe: FakeStripe,
    clock: MutableClock,
) -> None:
    assert client.post("/v1/billing/checkout", headers=customer.headers).status_code == 200
    cus = next(iter(fake_stripe.customers))
    sub = fake_stripe.put_subscription(
        customer=cus, status="active", period_end=clock.now() + timedelta(days=30)
    )
    payload = stripe_event("customer.subscription.created", {"id": sub, "object": "subscription"})
    r = client.post(
        "/v1/stripe/webhook",
        content=payload.encode(),
        headers={"Stripe-Signature": sign_webhook(payload)},
    )
    assert r.status_code == 200
    assert (
        client.get("/v1/entitlement", headers=customer.headers).json()["source"] == "subscription"
    )
    account_id = account_id_of(staff, customer.email)
    page = staff.get(f"/admin/accounts/{account_id}")
    assert "Cancel subscription now" in page.text
    r = staff.post(
        f"/admin/accounts/{account_id}/cancel-subscription",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("notice=cancelled")
    assert fake_stripe.subscriptions[sub]["status"] == "canceled"
    assert client.get("/v1/entitlement", headers=customer.headers).json()["source"] == "trial"
    assert "cancel_subscription" in staff.get("/admin/audit").text


def test_sign_out(staff: TestClient) -> None:
    r = staff.post("/admin/logout", data={"csrf_token": page_csrf(staff)}, follow_redirects=False)
    assert r.status_code == 303
    assert staff.get("/admin", follow_redirects=False).status_code == 303


def test_staff_session_expires(staff: TestClient, clock: MutableClock) -> None:
    assert staff.get("/admin", follow_redirects=False).status_code == 200
    clock.advance(timedelta(minutes=61))
    assert staff.get("/admin", follow_redirects=False).status_code == 303


def test_pages_show_nothing_but_identity_access_and_storage(
    client: TestClient, staff: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    sign_up_and_in(client, fake_resend)
    account_id = account_id_of(staff, customer.email)
    page = staff.get(f"/admin/accounts/{account_id}").text
    labels = re.findall(r"<dt>([^<]+)</dt>", page)
    assert labels == [
        "E-mail",
        "Account id",
        "Signed up",
        "Access",
        "Complimentary access",
        "Subscription",
        "Devices",
        "Synced records",
    ]
    for forbidden in [
        "password",
        "token",
        "schedule",
        "client",
        "feed",
        "calendar",
        "sct_",
        "$2b$",
    ]:
        assert forbidden not in page.lower().replace("csrf_token", "")


def test_fuzz_admin_pages_without_server_errors(staff: TestClient, customer: Customer) -> None:
    from urllib.parse import quote

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    text = st.text(max_size=60) | st.sampled_from(
        ["\x00", "%", "_", "😀" * 20, "\udcff", "a" * 300]
    )
    paths = ["/admin/accounts/{x}", "/admin/accounts/{x}/grant", "/admin/accounts/{x}/revoke"]

    @settings(
        max_examples=80,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
        database=None,
    )
    @given(query=text, ident=text, csrf=text, which=st.sampled_from(paths))
    def run(query: str, ident: str, csrf: str, which: str) -> None:
        r = staff.get("/admin", params={"q": query.encode("utf-8", "replace").decode()})
        assert r.status_code < 500
        path = which.replace("{x}", quote(ident.encode("utf-8", "surrogatepass"), safe="") or "x")
        method = "GET" if which.endswith("{x}") else "POST"
        r = staff.request(
            method,
            path,
            data={"csrf_token": csrf.encode("utf-8", "replace").decode()},
            follow_redirects=False,
        )
        assert r.status_code < 500, (method, path, r.status_code)

    run()
