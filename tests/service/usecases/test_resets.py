"""Password reset by a mailed code typed into the app (both databases)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, select

from sessionclock_service.db.models import PasswordReset
from tests.support.fake_resend import FakeResend
from tests.support.service import (
    PASSWORD,
    Customer,
    MutableClock,
    mailed_code,
    new_email,
    services_of,
    sign_in_status,
)

NEW_PASSWORD = "after the reset!"


def _request(client: TestClient, email: str) -> Any:
    return client.post("/v1/password-resets", json={"email": email})


def _confirm(client: TestClient, email: str, code: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(
        "/v1/password-resets/confirm",
        json={"email": email, "code": code, "new_password": password},
    )


def _reset_rows(url: str) -> list[Any]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(select(PasswordReset)).all())
    engine.dispose()
    return rows


def _other_code(code: str, n: int = 1) -> str:
    return f"{(int(code) + n) % 10**6:06d}"


def test_password_reset_end_to_end(
    client: TestClient, customer: Customer, fake_resend: FakeResend, clean_database: str
) -> None:
    _, other = sign_in_status(client, customer.email)
    assert _request(client, customer.email).status_code == 202
    sent = fake_resend.sent[-1].payload
    assert sent["to"] == [customer.email]
    assert "Reset" in sent["subject"] and sent["html"].startswith("<!doctype html>")
    code = mailed_code(fake_resend, customer.email, kind="reset")
    (row,) = _reset_rows(clean_database)
    assert code not in row.code_hash

    assert _confirm(client, customer.email, code).status_code == 204
    # Every device is signed out, the new password works, the code is spent.
    assert client.get("/v1/account", headers=customer.headers).status_code == 401
    other_headers = {"Authorization": f"Bearer {other['token']}"}
    assert client.get("/v1/account", headers=other_headers).status_code == 401
    assert sign_in_status(client, customer.email, NEW_PASSWORD)[0] == 201
    assert sign_in_status(client, customer.email)[0] == 401
    assert _confirm(client, customer.email, code, "a third password").status_code == 400
    assert _reset_rows(clean_database) == []


def test_the_request_answers_the_same_for_unknown_and_unconfirmed_addresses(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    pending = new_email()
    client.post("/v1/accounts", json={"email": pending, "password": PASSWORD})
    mailed_before = len(fake_resend.sent)
    known = _request(client, customer.email)
    unknown = _request(client, new_email())
    unconfirmed = _request(client, pending)
    assert known.status_code == unknown.status_code == unconfirmed.status_code == 202
    assert known.json() == unknown.json() == unconfirmed.json()
    assert [m.payload["to"] for m in fake_resend.sent[mailed_before:]] == [[customer.email]]


def test_wrong_expired_and_unknown_get_one_answer(
    client: TestClient, customer: Customer, fake_resend: FakeResend, clock: MutableClock
) -> None:
    _request(client, customer.email)
    code = mailed_code(fake_resend, customer.email, kind="reset")
    wrong = _confirm(client, customer.email, _other_code(code))
    unknown = _confirm(client, new_email(), code)
    clock.advance(timedelta(minutes=31))
    expired = _confirm(client, customer.email, code)
    assert wrong.status_code == unknown.status_code == expired.status_code == 400
    assert wrong.json() == unknown.json() == expired.json()
    assert sign_in_status(client, customer.email)[0] == 201


def test_a_bad_code_is_refused_before_any_hashing(
    client: TestClient, customer: Customer, fake_resend: FakeResend, bcrypt_hashes: list[bytes]
) -> None:
    _request(client, customer.email)
    code = mailed_code(fake_resend, customer.email, kind="reset")
    assert _confirm(client, customer.email, _other_code(code)).status_code == 400
    assert _confirm(client, new_email(), code).status_code == 400
    assert bcrypt_hashes == []
    assert _confirm(client, customer.email, code).status_code == 204
    assert len(bcrypt_hashes) == 1


def test_a_reset_code_dies_after_five_wrong_tries(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    _request(client, customer.email)
    code = mailed_code(fake_resend, customer.email, kind="reset")
    for n in range(1, 6):
        assert _confirm(client, customer.email, _other_code(code, n)).status_code == 400
    assert _confirm(client, customer.email, code).status_code == 400
    assert sign_in_status(client, customer.email)[0] == 201
    # A dead code makes room for a new one.
    _request(client, customer.email)
    fresh = mailed_code(fake_resend, customer.email, kind="reset")
    assert _confirm(client, customer.email, fresh).status_code == 204


def test_one_outstanding_code_at_a_time(
    client: TestClient, customer: Customer, fake_resend: FakeResend, clock: MutableClock
) -> None:
    _request(client, customer.email)
    first = mailed_code(fake_resend, customer.email, kind="reset")
    assert _request(client, customer.email).status_code == 202
    assert len(fake_resend.sent) == 1  # nothing new while the first code lives
    clock.advance(timedelta(minutes=31))
    _request(client, customer.email)
    assert len(fake_resend.sent) == 2
    second = mailed_code(fake_resend, customer.email, kind="reset")
    assert _confirm(client, customer.email, first).status_code == 400
    assert _confirm(client, customer.email, second).status_code == 204


def test_a_password_change_kills_the_reset_code(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    _request(client, customer.email)
    code = mailed_code(fake_resend, customer.email, kind="reset")
    r = client.post(
        "/v1/account/password",
        headers=customer.headers,
        json={"current_password": PASSWORD, "new_password": "changed in the app"},
    )
    assert r.status_code == 204
    assert _confirm(client, customer.email, code).status_code == 400
    assert sign_in_status(client, customer.email, "changed in the app")[0] == 201


def test_a_short_new_password_is_refused_and_the_code_stays(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    _request(client, customer.email)
    code = mailed_code(fake_resend, customer.email, kind="reset")
    r = _confirm(client, customer.email, code, "short")
    assert r.status_code == 422 and "at least 10" in r.json()["detail"]
    assert _confirm(client, customer.email, code).status_code == 204


def test_wrong_reset_codes_are_limited_per_client_address(
    make_client: Callable[..., TestClient], customer: Customer, fake_resend: FakeResend
) -> None:
    client = make_client(login_max_address_failures=2)
    _request(client, customer.email)
    code = mailed_code(fake_resend, customer.email, kind="reset")
    for _ in range(2):
        assert _confirm(client, new_email(), code).status_code == 400
    assert _confirm(client, customer.email, code).status_code == 429


def test_a_flood_of_requests_mails_one_code_at_a_time_and_a_few_a_day(
    client: TestClient, customer: Customer, fake_resend: FakeResend, clock: MutableClock
) -> None:
    for _ in range(200):
        assert _request(client, customer.email).status_code == 202
    assert len(fake_resend.sent) == 1  # one outstanding code at a time
    for _ in range(10):  # each code expires, and the flood goes on
        clock.advance(timedelta(minutes=31))
        for _ in range(20):
            _request(client, customer.email)
    # Five messages a day reach one address, whatever the flood: the sign-up's code was one.
    assert len(fake_resend.sent) == 4
    clock.advance(timedelta(days=1))
    _request(client, customer.email)
    assert len(fake_resend.sent) == 5


def test_requests_are_limited_per_client_address(
    make_client: Callable[..., TestClient], customer: Customer
) -> None:
    client = TestClient(make_client(mail_max_per_address=3).app, client=("192.0.2.43", 50000))
    for _ in range(3):
        assert _request(client, new_email()).status_code == 202
    limited = _request(client, customer.email)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    other = TestClient(client.app, client=("192.0.2.44", 50000))
    assert _request(other, customer.email).status_code == 202


def test_the_answer_leaves_before_the_address_is_looked_up(
    client: TestClient, customer: Customer
) -> None:
    """The lookup, the code and the mail happen after the answer is sent, for every address."""
    app = client.app
    engine = services_of(client).db.engine
    seen: list[str] = []

    def note_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM accounts" in statement:
            seen.append("lookup")

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        async def noting_send(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                seen.append("answered")
            await send(message)

        await app(scope, receive, noting_send)

    event.listen(engine, "after_cursor_execute", note_statement)
    try:
        with TestClient(recording) as recorder:
            for email in (customer.email, new_email()):
                seen.clear()
                assert _request(recorder, email).status_code == 202
                assert seen == ["answered", "lookup"], email
    finally:
        event.remove(engine, "after_cursor_execute", note_statement)
