"""Deletion grants: a credential that can only delete its account, issued against the password,
so an account deleted offline is deleted at the service later without the app keeping it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sessionclock_service.db.models import DeletionGrant
from sessionclock_service.security import hash_token
from sessionclock_service.usecases.operations import tidy
from tests.support.fake_resend import FakeResend
from tests.support.service import (
    PASSWORD,
    Customer,
    MutableClock,
    mailed_code,
    services_of,
    sign_up_and_in,
)


def _grant(client: TestClient, customer: Customer, password: str = PASSWORD) -> Any:
    return client.post(
        "/v1/account/deletion-grant", json={"password": password}, headers=customer.headers
    )


def _delete(client: TestClient, customer: Customer, body: dict[str, str]) -> Any:
    return client.request("DELETE", "/v1/account", json=body, headers=customer.headers)


def _stored(client: TestClient) -> list[str]:
    with services_of(client).db.read() as db:
        return list(db.scalars(select(DeletionGrant.token_hash)))


def test_a_grant_deletes_the_account_without_the_password(
    client: TestClient, customer: Customer, clock: MutableClock
) -> None:
    r = _grant(client, customer)
    assert r.status_code == 201, r.text
    grant = r.json()["grant"]
    assert grant.startswith("scd_")
    assert r.json()["expires_at"] == (clock.now() + timedelta(days=30)).isoformat().replace(
        "+00:00", "Z"
    )
    assert _stored(client) == [hash_token(grant)]  # only its hash is kept
    assert _delete(client, customer, {"grant": grant}).status_code == 204
    assert client.get("/v1/account", headers=customer.headers).status_code == 401
    assert _stored(client) == []


def test_a_grant_needs_the_right_password(client: TestClient, customer: Customer) -> None:
    r = _grant(client, customer, "not the password")
    assert r.status_code == 403 and r.json() == {"detail": "The password is not correct."}
    assert _stored(client) == []


def test_a_wrong_expired_or_foreign_grant_deletes_nothing(
    client: TestClient, customer: Customer, fake_resend: FakeResend, clock: MutableClock
) -> None:
    other = sign_up_and_in(client, fake_resend)
    foreign = _grant(client, other).json()["grant"]
    grant = _grant(client, customer).json()["grant"]
    for wrong in [foreign, grant + "x", "scd_made-up"]:
        r = _delete(client, customer, {"grant": wrong})
        assert r.status_code == 403, wrong
        assert "grant is not valid" in r.json()["detail"]
    clock.advance(timedelta(days=30))
    assert _delete(client, customer, {"grant": grant}).status_code == 403
    assert client.get("/v1/account", headers=customer.headers).status_code == 200
    assert client.get("/v1/account", headers=other.headers).status_code == 200
    tidy(services_of(client))
    assert _stored(client) == []


def test_the_password_or_a_grant_but_not_both(client: TestClient, customer: Customer) -> None:
    grant = _grant(client, customer).json()["grant"]
    for body in [{}, {"password": PASSWORD, "grant": grant}, {"grant": ""}]:
        assert _delete(client, customer, body).status_code == 422, body
    assert client.get("/v1/account", headers=customer.headers).status_code == 200


def test_changing_or_resetting_the_password_kills_the_grants(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    first = _grant(client, customer).json()["grant"]
    new = "another long password"
    r = client.post(
        "/v1/account/password",
        json={"current_password": PASSWORD, "new_password": new},
        headers=customer.headers,
    )
    assert r.status_code == 204
    assert _delete(client, customer, {"grant": first}).status_code == 403
    assert _grant(client, customer, new).status_code == 201
    client.post("/v1/password-resets", json={"email": customer.email})
    code = mailed_code(fake_resend, customer.email, kind="reset")
    r = client.post(
        "/v1/password-resets/confirm",
        json={"email": customer.email, "code": code, "new_password": PASSWORD},
    )
    assert r.status_code == 204
    with services_of(client).db.read() as db:
        assert db.scalar(select(func.count()).select_from(DeletionGrant)) == 0
