"""Accounts, sign-in, API tokens and password resets through the HTTP API (both databases)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from sessionclock_service.models import ApiToken, PasswordResetToken
from tests.support.fake_resend import FakeResend
from tests.support.service import PASSWORD, Customer, MutableClock, new_email, sign_up_and_in


def _sign_in(
    client: TestClient, email: str, password: str = PASSWORD
) -> tuple[int, dict[str, str]]:
    r = client.post(
        "/v1/tokens", json={"email": email, "password": password, "device_name": "Tablet"}
    )
    return r.status_code, r.json()


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
    assert _sign_in(client, email)[0] == 201
    assert _sign_in(client, email, "another password 1")[0] == 401


def test_sign_in_failure_does_not_tell_unknown_from_wrong(
    client: TestClient, customer: Customer
) -> None:
    wrong = _sign_in(client, customer.email, "not the password at all")
    unknown = _sign_in(client, new_email(), "not the password at all")
    assert wrong == unknown
    assert wrong[0] == 401


def test_unknown_address_costs_a_bcrypt_verify(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bcrypt

    calls: list[bytes] = []
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    assert _sign_in(client, new_email())[0] == 401
    assert len(calls) == 1  # the dummy hash: same work as a registered address


def test_email_is_case_insensitive(client: TestClient, customer: Customer) -> None:
    assert _sign_in(client, customer.email.upper())[0] == 201


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
    assert _sign_in(client, email, password)[0] == 201
    # Differs only after byte 72: must be refused.
    assert _sign_in(client, email, password + "!")[0] == 401
    assert _sign_in(client, email, password[:-1] + "?")[0] == 401


def test_short_password_is_refused(client: TestClient) -> None:
    r = client.post("/v1/accounts", json={"email": new_email(), "password": "short"})
    assert r.status_code == 422
    assert "at least 10" in r.json()["detail"]


def test_bad_email_is_refused(client: TestClient) -> None:
    r = client.post("/v1/accounts", json={"email": "no-at-sign", "password": PASSWORD})
    assert r.status_code == 422


def test_tokens_are_listed_and_revoked(client: TestClient, customer: Customer) -> None:
    status, second = _sign_in(client, customer.email)
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
    client: TestClient, customer: Customer
) -> None:
    intruder = sign_up_and_in(client)
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


def test_change_password_signs_out_other_devices(client: TestClient, customer: Customer) -> None:
    _, other = _sign_in(client, customer.email)
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
    assert _sign_in(client, customer.email)[0] == 401
    assert _sign_in(client, customer.email, "a brand new password")[0] == 201


def test_change_password_needs_the_current_one(client: TestClient, customer: Customer) -> None:
    r = client.post(
        "/v1/account/password",
        headers=customer.headers,
        json={"current_password": "wrong wrong wrong", "new_password": "a brand new password"},
    )
    assert r.status_code == 403
    assert _sign_in(client, customer.email)[0] == 201


def test_sign_in_is_rate_limited_per_account(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(login_max_failures=3)
    victim = sign_up_and_in(client)
    for _ in range(3):
        assert _sign_in(client, victim.email, "wrong password!!")[0] == 401
    status, _body = _sign_in(client, victim.email)  # even the right password now waits
    assert status == 429
    # An unknown address is limited exactly the same way (no enumeration through 429s).
    ghost = new_email()
    for _ in range(3):
        assert _sign_in(client, ghost, "wrong password!!")[0] == 401
    assert _sign_in(client, ghost)[0] == 429


def test_sign_in_is_rate_limited_per_address(
    make_client: Callable[..., TestClient], clock: MutableClock
) -> None:
    client = make_client(login_max_failures=100, login_max_address_failures=4)
    someone = sign_up_and_in(client)
    for _ in range(4):
        assert _sign_in(client, new_email(), "wrong password!!")[0] == 401
    assert _sign_in(client, someone.email)[0] == 429  # same address, other account
    clock.advance(timedelta(minutes=16))
    assert _sign_in(client, someone.email)[0] == 201


def test_rate_limit_is_shared_by_workers(make_client: Callable[..., TestClient]) -> None:
    # Two apps on one database stand for two workers: the count lives in the database.
    one, two = make_client(login_max_failures=2), make_client(login_max_failures=2)
    victim = sign_up_and_in(one)
    assert _sign_in(one, victim.email, "wrong password!!")[0] == 401
    assert _sign_in(two, victim.email, "wrong password!!")[0] == 401
    assert _sign_in(one, victim.email)[0] == 429


def _reset_code(fake_resend: FakeResend) -> str:
    text = fake_resend.sent[-1].payload["text"]
    match = re.search(r"scr_[A-Za-z0-9_-]{43}", text)
    assert match is not None
    return match.group(0)


def test_password_reset_end_to_end(
    client: TestClient, customer: Customer, fake_resend: FakeResend, clean_database: str
) -> None:
    _, other = _sign_in(client, customer.email)
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
    assert _sign_in(client, customer.email, "after the reset!")[0] == 201
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
    assert _sign_in(client, customer.email)[0] == 201


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
    assert _sign_in(client, customer.email)[0] == 401
    assert [m.payload["subject"] for m in fake_resend.sent] == [
        "Your Session Clock account was deleted"
    ]
    # The address can sign up again from scratch.
    assert sign_up_and_in(client, customer.email).email == customer.email
