"""Accounts through the HTTP API (both databases): sign-up confirmed by a mailed code, trials,
what the account shows, passwords, deletion."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, select, text

from sessionclock_service.db.models import Account, AuditEntry, OutboxEmail, RateEvent, Signup
from sessionclock_service.security import CodeHasher
from tests.support.admin import add_staff, staff_sign_in, submit_sign_in
from tests.support.fake_resend import FakeResend
from tests.support.service import (
    PASSWORD,
    Customer,
    MutableClock,
    mailed_code,
    new_email,
    services_of,
    sign_in_status,
    sign_up,
    sign_up_and_in,
)


def _sign_up(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    return client.post("/v1/accounts", json={"email": email, "password": password})


def _confirm(client: TestClient, email: str, code: str) -> Any:
    return client.post("/v1/accounts/confirm", json={"email": email, "code": code})


def _rows(url: str, table: Any) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(select(table)).all())
    engine.dispose()
    return rows


# -- sign-up and its code ------------------------------------------------------------------------


def test_an_account_exists_only_once_its_code_is_confirmed(
    client: TestClient, fake_resend: FakeResend, clean_database: str
) -> None:
    email = new_email()
    assert _sign_up(client, email).status_code == 202
    assert _rows(clean_database, Account) == []
    sent = fake_resend.sent[-1].payload
    assert sent["to"] == [email] and sent["subject"] == "Confirm your Session Clock address"
    code = mailed_code(fake_resend, email)
    assert len(code) == 6 and code.isdigit()
    assert sign_in_status(client, email)[0] == 401
    assert _confirm(client, email, code).status_code == 204
    assert sign_in_status(client, email)[0] == 201
    assert _rows(clean_database, Signup) == []


def test_an_unconfirmed_sign_in_answers_exactly_like_a_wrong_password(
    client: TestClient, customer: Customer
) -> None:
    pending = new_email()
    _sign_up(client, pending)
    unconfirmed = sign_in_status(client, pending)  # the right password, not confirmed yet
    wrong = sign_in_status(client, customer.email, "not the password at all")
    unknown = sign_in_status(client, new_email())
    assert unconfirmed == wrong == unknown
    assert unconfirmed[0] == 401


def test_a_registered_address_gets_a_notice_and_the_caller_the_same_answer(
    client: TestClient, customer: Customer, fake_resend: FakeResend, bcrypt_hashes: list[bytes]
) -> None:
    fresh = _sign_up(client, new_email())
    taken = _sign_up(client, customer.email, "another password 1")
    assert (
        (fresh.status_code, fresh.json())
        == (taken.status_code, taken.json())
        == (202, fresh.json())
    )
    # The password is hashed on both paths, so the answer takes the same time.
    assert len(bcrypt_hashes) == 2
    notice = fake_resend.sent[-1].payload
    assert notice["to"] == [customer.email]
    assert notice["subject"] == "Someone tried to sign up with your Session Clock address"
    assert re.search(r"\d{6}", notice["text"]) is None  # no code in a notice
    # Nothing changed: the original password still works, the new one does not.
    assert sign_in_status(client, customer.email)[0] == 201
    assert sign_in_status(client, customer.email, "another password 1")[0] == 401


def test_wrong_expired_and_unknown_codes_get_one_answer(
    client: TestClient, fake_resend: FakeResend, clock: MutableClock
) -> None:
    email = new_email()
    _sign_up(client, email)
    code = mailed_code(fake_resend, email)
    wrong = _confirm(client, email, f"{(int(code) + 1) % 10**6:06d}")
    unknown = _confirm(client, new_email(), code)
    clock.advance(timedelta(minutes=61))
    expired = _confirm(client, email, code)
    assert wrong.status_code == unknown.status_code == expired.status_code == 400
    assert wrong.json() == unknown.json() == expired.json()
    assert sign_in_status(client, email)[0] == 401


def test_a_code_works_once(client: TestClient, fake_resend: FakeResend) -> None:
    email = new_email()
    _sign_up(client, email)
    code = mailed_code(fake_resend, email)
    assert _confirm(client, email, code).status_code == 204
    assert _confirm(client, email, code).status_code == 400


def test_a_code_dies_after_five_wrong_tries(client: TestClient, fake_resend: FakeResend) -> None:
    email = new_email()
    _sign_up(client, email)
    code = mailed_code(fake_resend, email)
    wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != code][:5]
    for guess in wrong:
        assert _confirm(client, email, guess).status_code == 400
    assert _confirm(client, email, code).status_code == 400
    assert sign_in_status(client, email)[0] == 401


def test_codes_are_stored_as_keyed_hashes(
    client: TestClient, fake_resend: FakeResend, clean_database: str
) -> None:
    email = new_email()
    _sign_up(client, email)
    code = mailed_code(fake_resend, email)
    (row,) = _rows(clean_database, Signup)
    assert code not in row.code_hash
    # Not a plain SHA-256 a dump could be matched against by trying a million codes...
    assert row.code_hash != hashlib.sha256(code.encode()).hexdigest()
    # ...but an HMAC under the server's secret.
    secret = services_of(client).settings.secret_key
    keyed = CodeHasher(secret).hash(code, purpose="signup", subject=row.id)
    assert row.code_hash == keyed
    assert CodeHasher("another secret " * 3).hash(code, purpose="signup", subject=row.id) != keyed


def test_an_expired_sign_up_can_be_made_again(
    client: TestClient, fake_resend: FakeResend, clock: MutableClock
) -> None:
    email = new_email()
    _sign_up(client, email, "the first password")
    first = mailed_code(fake_resend, email)
    clock.advance(timedelta(minutes=61))
    _sign_up(client, email, "the second password")
    second = mailed_code(fake_resend, email)
    assert _confirm(client, email, first).status_code == 400
    assert _confirm(client, email, second).status_code == 204
    assert sign_in_status(client, email, "the second password")[0] == 201
    assert sign_in_status(client, email, "the first password")[0] == 401


def test_a_strangers_sign_up_of_the_same_address_cannot_swap_the_password(
    client: TestClient, fake_resend: FakeResend
) -> None:
    email = new_email()
    _sign_up(client, email, "the owner's password")
    owners = mailed_code(fake_resend, email)
    _sign_up(client, email, "a stranger's password")
    strangers = mailed_code(fake_resend, email)
    assert owners != strangers
    assert _confirm(client, email, owners).status_code == 204
    assert sign_in_status(client, email, "the owner's password")[0] == 201
    assert sign_in_status(client, email, "a stranger's password")[0] == 401
    assert _confirm(client, email, strangers).status_code == 400  # the other sign-ups are gone


def test_pending_sign_ups_of_one_address_are_capped(
    client: TestClient, fake_resend: FakeResend
) -> None:
    email = new_email()
    answers = {_sign_up(client, email).status_code for _ in range(5)}
    assert answers == {202}
    assert sum(m.payload["to"] == [email] for m in fake_resend.sent) == 3


def test_wrong_codes_are_limited_per_client_address(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = make_client(login_max_address_failures=3)
    email = new_email()
    _sign_up(client, email)
    for _ in range(3):
        assert _confirm(client, new_email(), "123456").status_code == 400
    limited = _confirm(client, email, mailed_code(fake_resend, email))
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "30"  # the first wait; each wrong code doubles it


def test_a_typed_code_may_carry_spaces_and_dashes(
    client: TestClient, fake_resend: FakeResend
) -> None:
    email = new_email()
    _sign_up(client, email)
    code = mailed_code(fake_resend, email)
    assert _confirm(client, email, f" {code[:3]} - {code[3:]} ").status_code == 204


def test_the_mailed_link_opens_a_page_that_confirms_with_the_same_code(
    client: TestClient, fake_resend: FakeResend
) -> None:
    email = new_email()
    _sign_up(client, email)
    code = mailed_code(fake_resend, email)
    link = next(w for w in fake_resend.sent[-1].payload["text"].split() if "/confirm?" in w)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == services_of(client).settings.public_base_url
    assert parse_qs(parts.query) == {"email": [email], "code": [code]}
    form = client.get(f"{parts.path}?{parts.query}")
    assert form.status_code == 200
    assert f'value="{code}"' in form.text and f'value="{email}"' in form.text
    # Opening the link confirms nothing (mail scanners open links); the button does.
    assert sign_in_status(client, email)[0] == 401
    wrong = client.post("/confirm", data={"email": email, "code": "000000"})
    assert wrong.status_code == 400 and "not valid" in wrong.text
    done = client.post("/confirm", data={"email": email, "code": code})
    assert done.status_code == 200 and "Address confirmed" in done.text
    assert sign_in_status(client, email)[0] == 201


def test_the_confirmation_page_escapes_what_it_is_given(client: TestClient) -> None:
    r = client.get("/confirm", params={"email": '"><script>x</script>', "code": "<b>"})
    assert r.status_code == 200
    assert "<script>" not in r.text and "<b>" not in r.text
    r = client.post("/confirm", data={"email": "<i>not an address", "code": "1"})
    assert r.status_code == 400 and "<i>" not in r.text


# -- the account, its trial ----------------------------------------------------------------------


def test_a_confirmed_sign_up_starts_a_trial(
    client: TestClient, customer: Customer, clock: MutableClock
) -> None:
    r = client.get("/v1/account", headers=customer.headers)
    assert r.status_code == 200
    body = r.json()
    assert body["email"] == customer.email
    # The id the app matches profiles by: the account's own, steady across sign-ins.
    with services_of(client).db.read() as db:
        assert body["id"] == db.scalar(select(Account.id).where(Account.email == customer.email))
    again = client.post(
        "/v1/tokens",
        json={"email": customer.email, "password": customer.password, "device_name": "Tablet"},
    ).json()["token"]
    other = client.get("/v1/account", headers={"Authorization": f"Bearer {again}"}).json()
    assert other["id"] == body["id"]
    now = clock.now().isoformat().replace("+00:00", "Z")
    trial_end = (clock.now() + timedelta(days=14)).isoformat().replace("+00:00", "Z")
    assert body["created_at"] == now
    assert body["entitlement"] == {
        "state": "trial",
        "entitled": True,
        "source": "trial",
        "ends_at": trial_end,
        "trial_ends_at": trial_end,
        "checked_at": now,
    }
    ent = client.get("/v1/entitlement", headers=customer.headers).json()
    assert ent == body["entitlement"]


def test_the_account_lists_the_devices_signed_in(
    client: TestClient, customer: Customer, clock: MutableClock
) -> None:
    clock.advance(timedelta(minutes=1))
    _status, tablet = sign_in_status(client, customer.email)
    devices = client.get("/v1/account", headers=customer.headers).json()["devices"]
    assert [(d["id"], d["device_name"], d["current"]) for d in devices] == [
        (customer.token_id, "Front desk", True),
        (tablet["id"], "Tablet", False),
    ]
    assert all(
        set(d) == {"id", "device_name", "created_at", "last_used_at", "current"} for d in devices
    )


def test_the_trial_lapses(client: TestClient, customer: Customer, clock: MutableClock) -> None:
    trial_end = (clock.now() + timedelta(days=14)).isoformat().replace("+00:00", "Z")
    clock.advance(timedelta(days=15))
    ent = client.get("/v1/entitlement", headers=customer.headers).json()
    assert ent == {
        "state": "lapsed",
        "entitled": False,
        "source": "none",
        "ends_at": None,
        "trial_ends_at": trial_end,
        "checked_at": clock.now().isoformat().replace("+00:00", "Z"),
    }


# -- passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["😀" * 19, "a" * 73, "p" * 1000, "same first 72 bytes " + "x" * 60],
    ids=["emoji-76-bytes", "73-ascii", "1000-chars", "long-prefix"],
)
def test_long_passwords_are_never_truncated(
    client: TestClient, fake_resend: FakeResend, password: str
) -> None:
    email = new_email()
    sign_up(client, fake_resend, email, password)
    assert sign_in_status(client, email, password)[0] == 201
    # Differs only after byte 72: must be refused.
    assert sign_in_status(client, email, password + "!")[0] == 401
    assert sign_in_status(client, email, password[:-1] + "?")[0] == 401


def test_short_password_is_refused(client: TestClient, fake_resend: FakeResend) -> None:
    r = _sign_up(client, new_email(), "short")
    assert r.status_code == 422
    assert "at least 10" in r.json()["detail"]
    assert fake_resend.sent == []


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


# -- deletion ------------------------------------------------------------------------------------


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
    assert fake_resend.sent[-1].payload["subject"] == "Your Session Clock account was deleted"
    # The address can sign up again from scratch.
    assert sign_up_and_in(client, fake_resend, customer.email).email == customer.email


def test_current_password_checks_count_against_the_account(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clock: MutableClock
) -> None:
    client = make_client(login_max_failures=3)
    customer = sign_up_and_in(client, fake_resend)
    change = {"current_password": "a wrong guess!", "new_password": "a brand new password"}
    for _ in range(2):
        r = client.post("/v1/account/password", headers=customer.headers, json=change)
        assert r.status_code == 403
    r = client.request(
        "DELETE", "/v1/account", headers=customer.headers, json={"password": "a wrong guess!"}
    )
    assert r.status_code == 403
    # A token holder cannot go on guessing: now even the right password waits.
    right = {"current_password": PASSWORD, "new_password": "a brand new password"}
    r = client.post("/v1/account/password", headers=customer.headers, json=right)
    assert r.status_code == 429 and r.headers["retry-after"] == "30"
    assert sign_in_status(client, customer.email)[0] == 429  # the same count as sign-in's
    clock.advance(timedelta(seconds=31))
    assert (
        client.post("/v1/account/password", headers=customer.headers, json=right).status_code == 204
    )


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/account", None),
        ("GET", "/v1/entitlement", None),
        ("POST", "/v1/billing/checkout", None),
        ("POST", "/v1/billing/portal", None),
        ("POST", "/v1/account/password", {"current_password": PASSWORD, "new_password": "x" * 12}),
        ("DELETE", "/v1/account", {"password": PASSWORD}),
        ("POST", "/v1/devices", {"public_key": "a2V5" * 10 + "a2U="}),
    ],
)
def test_a_request_racing_its_accounts_deletion_answers_401(
    client: TestClient,
    customer: Customer,
    clean_database: str,
    method: str,
    path: str,
    body: dict[str, str] | None,
) -> None:
    engine = services_of(client).db.engine
    other = create_engine(clean_database)
    deleted: list[str] = []

    def delete_after_the_token_check(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not deleted and statement.startswith("SELECT") and "FROM api_tokens" in statement:
            with other.begin() as conn:
                conn.execute(text("DELETE FROM accounts WHERE email = :e"), {"e": customer.email})
            deleted.append(statement)

    event.listen(engine, "after_cursor_execute", delete_after_the_token_check)
    try:
        r = client.request(method, path, headers=customer.headers, json=body)
    finally:
        event.remove(engine, "after_cursor_execute", delete_after_the_token_check)
        other.dispose()
    assert deleted, "the account was never deleted mid-request"
    assert r.status_code == 401, r.text
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.allow_warning_logs
def test_deletion_leaves_no_trace_of_the_address(
    client: TestClient,
    customer: Customer,
    fake_resend: FakeResend,
    clean_database: str,
) -> None:
    add_staff(client)
    staff = staff_sign_in(TestClient(client.app))
    # What an account leaves behind: staff searches naming it, a failed staff sign-in typed with
    # it, sign-in counts and a message that could not be sent yet.
    staff.get("/admin", params={"q": customer.email})
    staff.get("/admin", params={"q": customer.email.split("@")[0]})
    assert submit_sign_in(TestClient(client.app), email=customer.email).status_code == 401
    assert sign_in_status(client, customer.email, "a wrong password")[0] == 401
    fake_resend.fail_next = 1
    client.post("/v1/password-resets", json={"email": customer.email})
    assert _rows(clean_database, OutboxEmail) != []

    r = client.request(
        "DELETE", "/v1/account", headers=customer.headers, json={"password": PASSWORD}
    )
    assert r.status_code == 204
    assert [m.payload["subject"] for m in fake_resend.sent] == [
        "Your Session Clock account was deleted"
    ]
    assert _rows(clean_database, OutboxEmail) == []  # the queued reset code went, unsent
    audit = _rows(clean_database, AuditEntry)
    assert len(audit) >= 4
    assert not any(customer.email in (row.detail + row.staff_email) for row in audit)
    assert not any(customer.email.split("@")[0] in row.detail for row in audit)
    if clean_database.startswith("sqlite:///"):
        path = Path(clean_database.removeprefix("sqlite:///"))
        for file in [path, path.with_name(path.name + "-wal")]:
            if file.exists():
                assert customer.email.encode() not in file.read_bytes(), file
    subject = services_of(client).limiter.subject(customer.email)
    assert not any(subject in row.key for row in _rows(clean_database, RateEvent))


def test_a_flood_of_sign_ups_mails_a_few_a_day_and_works_the_same_either_way(
    client: TestClient, customer: Customer, fake_resend: FakeResend, bcrypt_hashes: list[bytes]
) -> None:
    fresh = new_email()
    answers = {(_sign_up(client, e).status_code) for e in [customer.email, fresh] * 20}
    assert answers == {202}
    assert len(bcrypt_hashes) == 40  # hashed every time, mail or no mail, registered or not
    to = [m.payload["to"][0] for m in fake_resend.sent]
    assert to.count(customer.email) == 4  # five a day, and its own sign-up code was one
    assert to.count(fresh) == 3  # three sign-ups may wait for their code at once


def test_sign_ups_are_limited_per_client_address(
    make_client: Callable[..., TestClient], fake_resend: FakeResend
) -> None:
    client = TestClient(make_client(mail_max_per_address=2).app, client=("192.0.2.7", 50000))
    assert {_sign_up(client, new_email()).status_code for _ in range(2)} == {202}
    limited = _sign_up(client, new_email())
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert len(fake_resend.sent) == 2


def test_look_alike_addresses_are_the_same_account_or_refused(
    client: TestClient, fake_resend: FakeResend
) -> None:
    assert _sign_up(client, "ann@bücher.example").status_code == 202
    stored = "ann@xn--bcher-kva.example"  # the domain in its IDNA form: where the mail went
    assert (
        _confirm(client, "ann@bücher.example", mailed_code(fake_resend, stored)).status_code == 204
    )
    # The same address however it is typed: full-width letters, capitals, the IDNA form.
    for spelling in ["ＡＮＮ@bücher.example", "Ann@XN--BCHER-KVA.example", "ann@bücher.example"]:
        assert sign_in_status(client, spelling)[0] == 201, spelling
    # Invisible characters would make an address that looks the same in the admin area.
    for hidden in ["ann@bü\u200bcher.example", "an\u202en@bücher.example", "ann\u2060@x.example"]:
        r = client.post("/v1/accounts", json={"email": hidden, "password": PASSWORD})
        assert r.status_code == 422, hidden
