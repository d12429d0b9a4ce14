"""The one sign-in step through the HTTP API (both databases): no enumeration, limits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.support.admin import STAFF_EMAIL, add_staff, staff_sign_in, submit_sign_in
from tests.support.fake_resend import FakeResend
from tests.support.service import (
    PASSWORD,
    Customer,
    MutableClock,
    new_email,
    sign_in_status,
    sign_up_and_in,
)


def test_sign_in_failure_does_not_tell_unknown_from_wrong(
    client: TestClient, customer: Customer
) -> None:
    wrong = sign_in_status(client, customer.email, "not the password at all")
    unknown = sign_in_status(client, new_email(), "not the password at all")
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
    assert sign_in_status(client, new_email())[0] == 401
    assert len(calls) == 1  # the dummy hash: same work as a registered address


def test_email_is_case_insensitive(client: TestClient, customer: Customer) -> None:
    assert sign_in_status(client, customer.email.upper())[0] == 201


def test_sign_in_is_rate_limited_per_account(
    make_client: Callable[..., TestClient],
    fake_resend: FakeResend,
) -> None:
    client = make_client(login_max_failures=3)
    victim = sign_up_and_in(client, fake_resend)
    for _ in range(3):
        assert sign_in_status(client, victim.email, "wrong password!!")[0] == 401
    status, _body = sign_in_status(client, victim.email)  # even the right password now waits
    assert status == 429
    # An unknown address is limited exactly the same way (no enumeration through 429s).
    ghost = new_email()
    for _ in range(3):
        assert sign_in_status(client, ghost, "wrong password!!")[0] == 401
    assert sign_in_status(client, ghost)[0] == 429


def test_sign_in_is_rate_limited_per_address(
    make_client: Callable[..., TestClient], clock: MutableClock, fake_resend: FakeResend
) -> None:
    client = make_client(login_max_failures=100, login_max_address_failures=4)
    someone = sign_up_and_in(client, fake_resend)
    for _ in range(4):
        assert sign_in_status(client, new_email(), "wrong password!!")[0] == 401
    assert sign_in_status(client, someone.email)[0] == 429  # same address, other account
    clock.advance(timedelta(minutes=16))
    assert sign_in_status(client, someone.email)[0] == 201


def test_rate_limit_is_shared_by_workers(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    # Two apps on one database stand for two workers: the count lives in the database.
    one, two = make_client(login_max_failures=2), make_client(login_max_failures=2)
    victim = sign_up_and_in(one, fake_resend)
    assert sign_in_status(one, victim.email, "wrong password!!")[0] == 401
    assert sign_in_status(two, victim.email, "wrong password!!")[0] == 401
    assert sign_in_status(one, victim.email)[0] == 429


def test_the_limit_answers_with_when_to_retry(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(login_max_failures=1)
    victim = sign_up_and_in(client, fake_resend)
    assert sign_in_status(client, victim.email, "wrong password!!")[0] == 401
    r = client.post(
        "/v1/tokens",
        json={"email": victim.email, "password": PASSWORD, "device_name": "Tablet"},
    )
    assert r.status_code == 429
    assert r.json() == {"detail": "Too many failed sign-ins. Try again later."}
    assert r.headers["retry-after"] == "900"
    assert r.headers["x-frame-options"] == "DENY"  # refusals carry the security headers too


def test_staff_sign_in_takes_the_same_step(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(login_max_failures=2)
    add_staff(client)
    for _ in range(2):
        refused = submit_sign_in(client, password="not the staff password")
        assert refused.status_code == 401
        assert "Incorrect e-mail or password." in refused.text
    limited = submit_sign_in(client)  # even the right password now waits
    assert limited.status_code == 401
    assert "Too many attempts. Try again later." in limited.text
    # Each door counts its own failures: a customer account of the same address still signs in.
    assert sign_up_and_in(client, fake_resend, STAFF_EMAIL).email == STAFF_EMAIL
    # And failures at the customers' door do not lock the staff member out.
    other = make_client(login_max_failures=2)
    add_staff(other, email="second-staff@sessionclock.test")
    for _ in range(2):
        assert sign_in_status(other, "second-staff@sessionclock.test", "wrong!!!")[0] == 401
    assert sign_in_status(other, "second-staff@sessionclock.test", "wrong!!!")[0] == 429
    staff_sign_in(TestClient(other.app), email="second-staff@sessionclock.test")


def test_staff_failures_are_audited(client: TestClient) -> None:
    add_staff(client)
    assert submit_sign_in(client, password="not the staff password").status_code == 401
    audit = staff_sign_in(TestClient(client.app)).get("/admin/audit").text
    assert audit.index("sign_in_failed") > audit.index(">sign_in<")
