"""The account client's answers to what the real service rarely says: broken TLS, stalls, garbage.

The everyday answers (sign-up, codes, wrong passwords, 429, 5xx, a dead service) are checked
against the real service in ``tests/contract``; these use ``httpx.MockTransport`` for what a
service on loopback cannot be made to do.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable

import httpx
import pytest

from sessionclock.core.account.client import AccountApi, make_service_client
from sessionclock.core.errors import (
    AccountError,
    RateLimitedError,
    ServiceFailedError,
    ServiceUnreachableError,
)

Handler = Callable[[httpx.Request], httpx.Response]
TOKEN = "sct_QZXSECRETTOKEN"


def api(handler: Handler) -> AccountApi:
    return AccountApi(
        make_service_client("https://accounts.example", transport=httpx.MockTransport(handler))
    )


def raising(error: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


def test_a_certificate_that_does_not_verify_says_so_and_nothing_else() -> None:
    cause = ssl.SSLCertVerificationError("certificate verify failed")
    error = httpx.ConnectError("boom")
    error.__cause__ = cause
    with pytest.raises(ServiceUnreachableError, match="could not be verified") as raised:
        api(raising(error)).entitlement(token=TOKEN)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_stall_and_a_dead_network_are_told_apart() -> None:
    with pytest.raises(ServiceUnreachableError, match="too long"):
        api(raising(httpx.ReadTimeout("slow"))).entitlement(token=TOKEN)
    with pytest.raises(ServiceUnreachableError, match="internet connection"):
        api(raising(httpx.ConnectError("refused"))).entitlement(token=TOKEN)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, content=b"<html>captive portal</html>"),
        httpx.Response(200, json={"state": "gold", "entitled": True}),
        httpx.Response(200, json=[1, 2]),
        httpx.Response(302, headers={"Location": "http://evil.example/"}),
    ],
)
def test_an_answer_this_version_cannot_read_is_a_clear_failure(response: httpx.Response) -> None:
    with pytest.raises(ServiceFailedError):
        api(lambda request: response).entitlement(token=TOKEN)


def test_retry_after_is_read_and_said_in_words() -> None:
    def limited(seconds: str) -> Handler:
        return lambda request: httpx.Response(429, headers={"Retry-After": seconds})

    with pytest.raises(RateLimitedError, match="Wait 15 minutes") as raised:
        api(limited("900")).sign_in(email="a@b.example", password="x", device_name="PC")
    assert raised.value.retry_after == 900
    with pytest.raises(RateLimitedError, match="Wait 30 seconds"):
        api(limited("30")).sign_in(email="a@b.example", password="x", device_name="PC")
    with pytest.raises(RateLimitedError, match="a few minutes"):
        api(limited("soon")).sign_in(email="a@b.example", password="x", device_name="PC")


def test_a_checkout_address_that_is_not_https_is_never_opened() -> None:
    handler = lambda request: httpx.Response(200, json={"url": "http://checkout.example/pay"})  # noqa: E731
    with pytest.raises(ServiceFailedError, match="not secure"):
        api(handler).checkout_url(token=TOKEN)


def test_the_token_goes_only_in_the_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"detail": "A valid API token is required."})

    with pytest.raises(AccountError):
        api(handler).devices(token=TOKEN)
    [request] = seen
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in str(request.url)
    assert "cookie" not in request.headers


def test_no_message_quotes_what_was_sent() -> None:
    password = "QZXPASSWORD-secret"
    for status in (400, 401, 403, 404, 409, 422, 500, 503):
        handler = lambda request, s=status: httpx.Response(s, json={"detail": [{"x": 1}]})  # noqa: E731
        with pytest.raises(AccountError) as raised:
            api(handler).sign_in(email="qzx@b.example", password=password, device_name="PC")
        assert password not in str(raised.value)
        assert "qzx@b.example" not in str(raised.value)
