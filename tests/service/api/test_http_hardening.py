"""Security headers, closed CORS, request size limits and logs without secrets."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sessionclock_service.api.middleware import SECURITY_HEADERS
from tests.support.admin import add_staff, submit_sign_in
from tests.support.fake_resend import FakeResend
from tests.support.service import PASSWORD, Customer


def _has_security_headers(headers: object) -> None:
    for name, value in SECURITY_HEADERS:
        assert headers[name.decode()] == value.decode(), name  # type: ignore[index]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health"),
        ("GET", "/openapi.json"),
        ("GET", "/v1/account"),  # 401
        ("GET", "/no/such/page"),  # 404
        ("POST", "/v1/accounts"),  # 422
        ("GET", "/admin/login"),
        ("GET", "/admin"),  # 303
        ("GET", "/static/admin.css"),
    ],
)
def test_security_headers_on_every_response(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path, follow_redirects=False)
    _has_security_headers(r.headers)


def test_security_headers_on_413(client: TestClient) -> None:
    r = client.post(
        "/v1/accounts",
        content=b"{" + b" " * 70_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413
    _has_security_headers(r.headers)


def test_cors_is_closed(client: TestClient) -> None:
    preflight = client.options(
        "/v1/account",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    r = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_streamed_oversized_body_is_refused(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(600):
            yield b"x" * 1024

    r = client.post(
        "/v1/stripe/webhook", content=chunks(), headers={"Stripe-Signature": "t=1,v1=0"}
    )
    assert r.status_code == 413


def test_no_interactive_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_no_secrets_in_logs(
    client: TestClient,
    customer: Customer,
    fake_resend: FakeResend,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/v1/password-resets", json={"email": customer.email})
    code = fake_resend.sent[-1].payload["text"].split("Your reset code is: ")[1].split()[0]
    client.post(
        "/v1/tokens",
        json={"email": customer.email, "password": "a wrong password", "device_name": "x"},
    )
    client.post(
        "/v1/password-resets/confirm", json={"token": code, "new_password": "brand new password"}
    )
    client.get("/v1/account", headers=customer.headers)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in [
        customer.token,
        PASSWORD,
        "a wrong password",
        code,
        "brand new password",
        "re_test_fake",
        "sk_test_fake",
    ]:
        assert secret not in logged


def test_oversized_fields_are_refused_not_crashing(client: TestClient) -> None:
    r = client.post("/v1/accounts", json={"email": "a@b.org", "password": "x" * 5000})
    assert r.status_code == 422
    r = client.post("/v1/accounts", json={"email": "a@b.org", "password": "p" * 2000})
    assert r.status_code == 422
    assert "at most 1024" in r.json()["detail"]


def test_control_characters_never_reach_the_database(
    client: TestClient, customer: Customer
) -> None:
    r = client.post(
        "/v1/tokens",
        json={"email": customer.email, "password": PASSWORD, "device_name": "\x00\u200b\x07 "},
    )
    assert r.status_code == 422  # nothing visible left of the device name
    r = client.post("/v1/accounts", json={"email": "nul\x00@example.org", "password": PASSWORD})
    assert r.status_code == 422


@pytest.mark.allow_warning_logs
def test_security_headers_on_a_server_error(
    client: TestClient, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("sessionclock_service.api.routes.accounts.current_entitlement", broken)
    r = client.get("/v1/entitlement", headers=customer.headers)
    assert r.status_code == 500
    assert r.json() == {"detail": "Something went wrong on the service. Try again later."}
    _has_security_headers(r.headers)


def test_requests_for_other_hosts_are_refused(client: TestClient) -> None:
    r = client.get("/health", headers={"Host": "evil.example"})
    assert r.status_code == 400
    _has_security_headers(r.headers)
    assert client.get("/health", headers={"Host": "testserver"}).status_code == 200


def test_the_public_host_is_allowed_by_default(make_client: Callable[..., TestClient]) -> None:
    client = make_client(public_base_url="https://accounts.sessionclock.example", allowed_hosts=[])
    assert client.get("/health").status_code == 400  # "testserver" is not the public host
    for host in ("accounts.sessionclock.example", "127.0.0.1:8765", "localhost"):
        assert client.get("/health", headers={"Host": host}).status_code == 200, host


def test_admin_cookies_are_secure_when_the_public_address_is_https(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(public_base_url="https://accounts.sessionclock.example")
    add_staff(client)
    form = client.get("/admin/login")  # plain http to the service, as behind a proxy
    assert "secure" in form.headers["set-cookie"].lower()
    # A browser sends Secure cookies back over https only.
    signed_in = submit_sign_in(TestClient(client.app, base_url="https://testserver"))
    assert signed_in.status_code == 303
    assert "secure" in signed_in.headers["set-cookie"].lower()
    plain = make_client(public_base_url="http://127.0.0.1:8765")
    assert "secure" not in plain.get("/admin/login").headers["set-cookie"].lower()


def test_readiness_checks_the_database(
    client: TestClient, make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    assert client.get("/ready").json() == {"status": "ok"}
    unmigrated = make_client(database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    r = unmigrated.get("/ready")
    assert r.status_code == 503 and "migrate" in r.json()["detail"]
    unreachable = make_client(database_url=f"sqlite:///{tmp_path / 'no' / 'such.sqlite3'}")
    r = unreachable.get("/ready")
    assert r.status_code == 503 and r.json() == {"detail": "The database cannot be reached."}
    assert unreachable.get("/health").status_code == 200  # liveness does not touch it
