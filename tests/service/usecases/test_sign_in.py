"""The one password check through the HTTP API (both databases): no enumeration, limits that
hold under concurrency, a lockout nobody else can cause, rehashing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import bcrypt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from sessionclock_service.db.models import Account
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

WRONG = "not the password at all"


def from_address(client: TestClient, host: str) -> TestClient:
    """Return a client of the same app whose requests come from *host*."""
    return TestClient(client.app, client=(host, 50000))


def test_sign_in_failure_does_not_tell_unknown_from_wrong(
    client: TestClient, customer: Customer
) -> None:
    wrong = sign_in_status(client, customer.email, WRONG)
    unknown = sign_in_status(client, new_email(), WRONG)
    assert wrong == unknown
    assert wrong[0] == 401


def test_unknown_address_costs_a_bcrypt_check(
    client: TestClient, bcrypt_checks: list[bytes]
) -> None:
    assert sign_in_status(client, new_email())[0] == 401
    assert len(bcrypt_checks) == 1  # the dummy hash: same work as a registered address


def test_email_is_case_insensitive(client: TestClient, customer: Customer) -> None:
    assert sign_in_status(client, customer.email.upper())[0] == 201


# -- wrong passwords: a growing wait, never a lockout a stranger can cause -----------------------


def test_guesses_from_one_address_wait_longer_and_longer(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clock: MutableClock
) -> None:
    client = make_client(login_max_failures=3)
    victim = sign_up_and_in(client, fake_resend)
    for _ in range(3):
        assert sign_in_status(client, victim.email, WRONG)[0] == 401
    r = client.post(
        "/v1/tokens", json={"email": victim.email, "password": PASSWORD, "device_name": "Tab"}
    )
    assert r.status_code == 429  # even the right password waits now...
    assert r.headers["retry-after"] == "30"
    clock.advance(timedelta(seconds=31))  # ...30 seconds, not a quarter of an hour
    assert sign_in_status(client, victim.email, WRONG)[0] == 401
    clock.advance(timedelta(seconds=31))
    r = client.post(
        "/v1/tokens", json={"email": victim.email, "password": PASSWORD, "device_name": "Tab"}
    )
    assert (r.status_code, r.headers["retry-after"]) == (429, "29")  # the next wait is 60 s
    clock.advance(timedelta(seconds=30))
    assert sign_in_status(client, victim.email)[0] == 201


def test_a_stranger_cannot_lock_the_owner_out(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clock: MutableClock
) -> None:
    client = make_client(
        login_max_failures=3, login_max_account_failures=5, login_max_delay_seconds=120
    )
    owner = sign_up_and_in(client, fake_resend)  # signs in from "testclient"

    def strangers_guess(first: int) -> list[int]:
        return [
            sign_in_status(from_address(client, f"198.51.100.{n}"), owner.email, WRONG)[0]
            for n in range(first, first + 10)
            for _ in range(3)
        ]

    statuses = strangers_guess(1)
    # The first five failures count; then strangers wait (the account's allowance is used up).
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    # From a new address the owner waits at most the configured two minutes, not 15...
    laptop = from_address(client, "203.0.113.5")
    r = laptop.post(
        "/v1/tokens", json={"email": owner.email, "password": PASSWORD, "device_name": "Laptop"}
    )
    assert r.status_code == 429 and int(r.headers["retry-after"]) <= 120
    clock.advance(timedelta(seconds=121))
    assert sign_in_status(laptop, owner.email)[0] == 201
    # ...and from an address it signed in from before, not at all.
    assert set(strangers_guess(11)) <= {401, 429}
    assert sign_in_status(client, owner.email)[0] == 201


def test_failures_are_counted_per_address_over_every_account(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(login_max_address_failures=4)
    someone = sign_up_and_in(client, fake_resend)
    sprayer = from_address(client, "192.0.2.66")
    for _ in range(4):
        assert sign_in_status(sprayer, new_email(), WRONG)[0] == 401
    assert sign_in_status(sprayer, someone.email)[0] == 429  # that address, any account
    assert sign_in_status(client, someone.email)[0] == 201  # other addresses: unaffected


def test_the_limit_is_shared_by_workers(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    # Two apps on one database stand for two workers: the count lives in the database.
    one, two = make_client(login_max_failures=2), make_client(login_max_failures=2)
    victim = sign_up_and_in(one, fake_resend)
    assert sign_in_status(one, victim.email, WRONG)[0] == 401
    assert sign_in_status(two, victim.email, WRONG)[0] == 401
    assert sign_in_status(one, victim.email)[0] == 429


def test_the_limit_answers_with_when_to_retry(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(login_max_failures=1)
    victim = sign_up_and_in(client, fake_resend)
    assert sign_in_status(client, victim.email, WRONG)[0] == 401
    r = client.post(
        "/v1/tokens",
        json={"email": victim.email, "password": PASSWORD, "device_name": "Tablet"},
    )
    assert r.status_code == 429
    assert r.json() == {"detail": "Too many attempts. Try again later."}
    assert r.headers["retry-after"] == "30"
    assert r.headers["x-frame-options"] == "DENY"  # refusals carry the security headers too


def test_concurrent_guesses_cost_exactly_the_allowance(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, bcrypt_checks: list[bytes]
) -> None:
    client = make_client(login_max_failures=10, hash_queue=64)
    victim = sign_up_and_in(client, fake_resend)
    bcrypt_checks.clear()
    guesses = [WRONG + str(n) for n in range(40)]

    def guess(password: str) -> int:
        return sign_in_status(client, victim.email, password)[0]

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(guess, guesses))
    assert len(bcrypt_checks) == 10  # bcrypt ran for exactly the allowance
    assert statuses.count(401) == 10
    assert statuses.count(429) == 30
    assert guess(PASSWORD) == 429  # had a guess been right past the allowance, it would wait
    assert len(bcrypt_checks) == 10


# -- work: every hash counts, successful ones too --------------------------------------------------


def test_successful_sign_ins_count_against_the_address(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clock: MutableClock
) -> None:
    client = make_client(hash_max_per_address=4)
    victim = sign_up_and_in(client, fake_resend)  # the sign-up's hash and a sign-in: two
    for _ in range(2):
        assert sign_in_status(client, victim.email)[0] == 201
    assert sign_in_status(client, victim.email)[0] == 429
    assert sign_in_status(from_address(client, "192.0.2.9"), victim.email)[0] == 201
    clock.advance(timedelta(seconds=61))
    assert sign_in_status(client, victim.email)[0] == 201


def test_hashes_aimed_at_one_account_are_limited(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(hash_max_per_target=3)
    victim = sign_up_and_in(client, fake_resend)  # sign-up and sign-in: two
    assert sign_in_status(from_address(client, "192.0.2.1"), victim.email)[0] == 201
    assert sign_in_status(from_address(client, "192.0.2.2"), victim.email)[0] == 429


# -- staff -----------------------------------------------------------------------------------------


def test_staff_sign_in_takes_the_same_step(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(login_max_failures=2)
    add_staff(client)
    for _ in range(2):
        refused = submit_sign_in(client, password="not the staff password")
        assert refused.status_code == 401
        assert "Incorrect e-mail or password." in refused.text
    limited = submit_sign_in(client)  # even the right password now waits, from this address
    assert limited.status_code == 401
    assert "Too many attempts. Try again later." in limited.text
    assert limited.headers["retry-after"] == "30"
    # Not from the staff member's own address: a stranger cannot lock staff out.
    staff_sign_in(from_address(client, "192.0.2.200"))
    # Each door counts its own failures: a customer account of the same address still signs in.
    assert sign_up_and_in(client, fake_resend, STAFF_EMAIL).email == STAFF_EMAIL


def test_staff_failures_are_audited(client: TestClient) -> None:
    add_staff(client)
    assert submit_sign_in(client, password="not the staff password").status_code == 401
    audit = staff_sign_in(TestClient(client.app)).get("/admin/audit").text
    assert audit.index("sign_in_failed") > audit.index(">sign_in<")


# -- the bcrypt cost -------------------------------------------------------------------------------


def test_a_hash_of_a_lower_cost_is_replaced_at_sign_in(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clean_database: str
) -> None:
    old = make_client(bcrypt_rounds=4)
    customer = sign_up_and_in(old, fake_resend)

    def stored() -> str:
        engine = create_engine(clean_database)
        with engine.connect() as conn:
            found = conn.scalar(
                select(Account.password_hash).where(Account.email == customer.email)
            )
        engine.dispose()
        assert found is not None
        return found

    assert stored().startswith("$2b$04$")
    new = make_client(bcrypt_rounds=5)
    assert sign_in_status(new, customer.email, WRONG)[0] == 401
    assert stored().startswith("$2b$04$")  # a wrong password changes nothing
    assert sign_in_status(new, customer.email)[0] == 201
    assert stored().startswith("$2b$05$")
    assert sign_in_status(new, customer.email)[0] == 201


def test_right_passwords_settling_at_once_all_sign_in(
    make_client: Callable[..., TestClient],
    fake_resend: FakeResend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = make_client(hash_workers=4, hash_queue=4)
    customer = sign_up_and_in(client, fake_resend)
    arrived = threading.Barrier(4, timeout=30)
    real = bcrypt.checkpw

    def together(password: bytes, hashed: bytes) -> bool:
        arrived.wait()  # the four checks finish, and settle, at the same moment
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", together)
    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(lambda _n: sign_in_status(client, customer.email)[0], range(4)))
    assert statuses == [201] * 4
