"""Security headers, closed CORS, request size limits and logs without secrets."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sessionclock_service.api.middleware import SECURITY_HEADERS
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
