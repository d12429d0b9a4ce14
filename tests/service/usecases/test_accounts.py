"""Accounts through the HTTP API (both databases): trials, passwords, resets, deletion."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from sessionclock_service.db.models import PasswordResetToken
from tests.support.fake_resend import FakeResend
from tests.support.service import (
    PASSWORD,
    Customer,
    MutableClock,
    new_email,
    sign_in_status,
    sign_up_and_in,
)


def test_sign_up_starts_a_trial(
    client: TestClient, customer: Customer, clock: MutableClock
) -> None:
    r = client.get("/v1/account", headers=customer.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["email"] == customer.email
    assert body["entitlement"]["status"] == "trial"
    assert body["entitlement"]["source"] == "trial"
    ent = client.get("/v1/entitlement", headers=customer.headers).json()
    assert ent == body["entitlement"]


def test_trial_lapses(client: TestClient, customer: Customer, clock: MutableClock) -> None:
    clock.advance(timedelta(days=15))
    ent = client.get("/v1/entitlement", headers=customer.headers).json()
    assert ent == {"status": "lapsed", "until": None, "source": "none"}


def test_sign_up_answers_the_same_for_a_taken_address(client: TestClient) -> None:
    email = new_email()
    first = client.post("/v1/accounts", json={"email": email, "password": PASSWORD})
    second = client.post("/v1/accounts", json={"email": email, "password": "another password 1"})
    assert (first.status_code, first.json()) == (second.status_code, second.json())
    # The original password still works, the second did not replace it.
    assert sign_in_status(client, email)[0] == 201
    assert sign_in_status(client, email, "another password 1")[0] == 401


@pytest.mark.parametrize(
    "password",
    ["😀" * 19, "a" * 73, "p" * 1000, "same first 72 bytes " + "x" * 60],
    ids=["emoji-76-bytes", "73-ascii", "1000-chars", "long-prefix"],
)
def test_long_passwords_are_never_truncated(client: TestClient, password: str) -> None:
    email = new_email()
    assert (
        client.post("/v1/accounts", json={"email": email, "password": password}).status_code == 202
    )
    assert sign_in_status(client, email, password)[0] == 201
    # Differs only after byte 72: must be refused.
    assert sign_in_status(client, email, password + "!")[0] == 401
    assert sign_in_status(client, email, password[:-1] + "?")[0] == 401


def test_short_password_is_refused(client: TestClient) -> None:
    r = client.post("/v1/accounts", json={"email": new_email(), "password": "short"})
    assert r.status_code == 422
    assert "at least 10" in r.json()["detail"]


def test_bad_email_is_refused(client: TestClient) -> None:
    r = client.post("/v1/accounts", json={"email": "no-at-sign", "password": PASSWORD})
    assert r.status_code == 422


def test_change_password_signs_out_other_devices(client: TestClient, customer: Customer) -> None:
    _, other = sign_in_status(client, customer.email)
    r = client.post(
        "/v1/account/password",
        headers=customer.headers,
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
    )
    assert r.status_code == 204
    assert client.get("/v1/account", headers=customer.headers).status_code == 200
    assert (
        client.get("/v1/account", headers={"Authorization": f"Bearer {other['token']}"}).status_code
        == 401
    )
    assert sign_in_status(client, customer.email)[0] == 401
    assert sign_in_status(client, customer.email, "a brand new password")[0] == 201


def test_change_password_needs_the_current_one(client: TestClient, customer: Customer) -> None:
    r = client.post(
        "/v1/account/password",
        headers=customer.headers,
        json={"current_password": "wrong wrong wrong", "new_password": "a brand new password"},
    )
    assert r.status_code == 403
    assert sign_in_status(client, customer.email)[0] == 201


def _reset_code(fake_resend: FakeResend) -> str:
    text = fake_resend.sent[-1].payload["text"]
    match = re.search(r"scr_[A-Za-z0-9_-]{43}", text)
    assert match is not None
    return match.group(0)


def test_password_reset_end_to_end(
    client: TestClient, customer: Customer, fake_resend: FakeResend, clean_database: str
) -> None:
    _, other = sign_in_status(client, customer.email)
    r = client.post("/v1/password-resets", json={"email": customer.email})
    assert r.status_code == 202
    assert len(fake_resend.sent) == 1
    sent = fake_resend.sent[0].payload
    assert sent["to"] == [customer.email]
    assert "Reset" in sent["subject"] and sent["html"].startswith("<!doctype html>")
    code = _reset_code(fake_resend)
    engine = create_engine(clean_database)
    with engine.connect() as conn:
        stored = conn.scalars(select(PasswordResetToken.token_hash)).all()
    engine.dispose()
    assert code not in stored and len(stored) == 1

    r = client.post(
        "/v1/password-resets/confirm", json={"token": code, "new_password": "after the reset!"}
    )
    assert r.status_code == 204
    # Every device is signed out, the new password works, the code is spent.
    assert client.get("/v1/account", headers=customer.headers).status_code == 401
    assert (
        client.get("/v1/account", headers={"Authorization": f"Bearer {other['token']}"}).status_code
        == 401
    )
    assert sign_in_status(client, customer.email, "after the reset!")[0] == 201
    again = client.post(
        "/v1/password-resets/confirm", json={"token": code, "new_password": "a third password"}
    )
    assert again.status_code == 400


def test_password_reset_answers_the_same_for_unknown_addresses(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    known = client.post("/v1/password-resets", json={"email": customer.email})
    unknown = client.post("/v1/password-resets", json={"email": new_email()})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert [m.payload["to"] for m in fake_resend.sent] == [[customer.email]]


def test_reset_code_expires(
    client: TestClient, customer: Customer, fake_resend: FakeResend, clock: MutableClock
) -> None:
    client.post("/v1/password-resets", json={"email": customer.email})
    code = _reset_code(fake_resend)
    clock.advance(timedelta(minutes=31))
    r = client.post(
        "/v1/password-resets/confirm", json={"token": code, "new_password": "too late now!"}
    )
    assert r.status_code == 400
    assert sign_in_status(client, customer.email)[0] == 201


def test_unknown_reset_code_is_refused(client: TestClient) -> None:
    r = client.post(
        "/v1/password-resets/confirm",
        json={"token": "scr_" + "A" * 43, "new_password": "whatever it is"},
    )
    assert r.status_code == 400


def test_delete_account_needs_the_password(client: TestClient, customer: Customer) -> None:
    r = client.request(
        "DELETE", "/v1/account", headers=customer.headers, json={"password": "wrong one!!"}
    )
    assert r.status_code == 403
    assert client.get("/v1/account", headers=customer.headers).status_code == 200


def test_delete_account_without_billing_history(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    r = client.request(
        "DELETE", "/v1/account", headers=customer.headers, json={"password": PASSWORD}
    )
    assert r.status_code == 204
    assert client.get("/v1/account", headers=customer.headers).status_code == 401
    assert sign_in_status(client, customer.email)[0] == 401
    assert [m.payload["subject"] for m in fake_resend.sent] == [
        "Your Session Clock account was deleted"
    ]
    # The address can sign up again from scratch.
    assert sign_up_and_in(client, customer.email).email == customer.email
