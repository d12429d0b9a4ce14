"""API tokens through the HTTP API (both databases): listed, revoked, hashed, expiring."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from sessionclock_service.db.models import ApiToken
from tests.support.fake_resend import FakeResend
from tests.support.service import (
    PASSWORD,
    Customer,
    MutableClock,
    sign_in_status,
    sign_up_and_in,
)


def test_tokens_are_listed_and_revoked(client: TestClient, customer: Customer) -> None:
    status, second = sign_in_status(client, customer.email)
    assert status == 201
    listed = client.get("/v1/tokens", headers=customer.headers).json()
    assert {t["id"] for t in listed} == {customer.token_id, second["id"]}
    assert [t["current"] for t in listed if t["id"] == customer.token_id] == [True]
    assert all("token" not in t for t in listed)
    assert client.delete(f"/v1/tokens/{second['id']}", headers=customer.headers).status_code == 204
    other_headers = {"Authorization": f"Bearer {second['token']}"}
    assert client.get("/v1/account", headers=other_headers).status_code == 401


def test_tokens_are_stored_only_as_hashes(
    client: TestClient, customer: Customer, clean_database: str
) -> None:
    engine = create_engine(clean_database)
    with engine.connect() as conn:
        hashes = conn.scalars(select(ApiToken.token_hash)).all()
    engine.dispose()
    assert customer.token not in hashes
    assert len(hashes) == 1 and re.fullmatch(r"[0-9a-f]{64}", hashes[0])


def test_another_accounts_token_answers_like_a_missing_one(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    intruder = sign_up_and_in(client, fake_resend)
    theirs = client.delete(f"/v1/tokens/{customer.token_id}", headers=intruder.headers)
    missing = client.delete("/v1/tokens/0123456789abcdef0123456789abcdef", headers=intruder.headers)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()
    assert client.get("/v1/account", headers=customer.headers).status_code == 200


def test_sign_out_revokes_the_current_token(client: TestClient, customer: Customer) -> None:
    assert client.delete("/v1/tokens/current", headers=customer.headers).status_code == 204
    assert client.get("/v1/account", headers=customer.headers).status_code == 401


def test_tokens_expire_after_inactivity(
    client: TestClient, customer: Customer, clock: MutableClock
) -> None:
    clock.advance(timedelta(days=89))
    assert client.get("/v1/account", headers=customer.headers).status_code == 200
    clock.advance(timedelta(days=89))  # used 89 days ago: still fine
    assert client.get("/v1/account", headers=customer.headers).status_code == 200
    clock.advance(timedelta(days=91))
    assert client.get("/v1/account", headers=customer.headers).status_code == 401


def test_bad_tokens_are_refused(client: TestClient) -> None:
    for header in [b"Bearer nope", b"Basic dXNlcjpwYXNz", b"Bearer ", "Bearer éé".encode()]:
        r = client.get("/v1/account", headers={b"Authorization": header})
        assert r.status_code == 401
    assert client.get("/v1/account").status_code == 401


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("Clinic PC", "Clinic PC"),
        ("  Room\t2\n tablet ", "Room 2 tablet"),
        ("Tab\x00let", "Tablet"),
        ("Front\u202edesk\u200b", "Frontdesk"),  # bidi override and zero-width space
        ("Ü" * 80, "Ü" * 60),
        ("Jane's iPad 😀", "Jane's iPad 😀"),
    ],
)
def test_device_names_are_kept_as_written_minus_invisible_characters(
    client: TestClient, customer: Customer, given: str, kept: str
) -> None:
    r = client.post(
        "/v1/tokens",
        json={"email": customer.email, "password": PASSWORD, "device_name": given},
    )
    assert r.status_code == 201, r.text
    listed = client.get("/v1/tokens", headers=customer.headers).json()
    assert [t["device_name"] for t in listed if t["id"] == r.json()["id"]] == [kept]


def test_an_account_holds_a_limited_number_of_tokens(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clock: MutableClock
) -> None:
    client = make_client(max_tokens_per_account=3)
    customer = sign_up_and_in(client, fake_resend)  # the first token, used now
    issued = []
    for _ in range(4):
        clock.advance(timedelta(minutes=10))
        issued.append(sign_in_status(client, customer.email)[1])
        # The first device keeps being used, so it is never the one unused the longest.
        assert client.get("/v1/tokens", headers=customer.headers).status_code == 200
    listed = {t["id"] for t in client.get("/v1/tokens", headers=customer.headers).json()}
    assert listed == {customer.token_id, issued[-2]["id"], issued[-1]["id"]}
    for old in issued[:2]:
        headers = {"Authorization": f"Bearer {old['token']}"}
        assert client.get("/v1/account", headers=headers).status_code == 401
