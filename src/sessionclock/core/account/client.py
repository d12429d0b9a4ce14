"""The account service's HTTP API, as the desktop app uses it (``docs/service-api.md``).

Every call takes an ``httpx.Client`` made by ``make_service_client`` (tests may pass one on a
mock transport) and either returns plain values or raises an ``AccountError`` whose message can
be shown as it is: it names what happened and what to do, and never contains the e-mail
address, a password, a code or a token. httpx's own messages, which quote addresses, are never
chained into them.

Nothing here logs: the requests carry passwords, codes and tokens, and the answers carry the
practitioner's e-mail address.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Callable, Mapping
from datetime import datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, NoReturn

import httpx

from sessionclock import __version__
from sessionclock.core.account.models import (
    AccountView,
    Device,
    Entitlement,
    EntitlementSource,
    EntitlementState,
    IssuedToken,
)
from sessionclock.core.errors import (
    AccountError,
    BillingUnavailableError,
    CodeRefusedError,
    NotFoundError,
    PasswordRulesError,
    RateLimitedError,
    ServiceFailedError,
    ServiceUnreachableError,
    SessionClockError,
    SignedOutError,
    SignInFailedError,
    WrongPasswordError,
)
from sessionclock.core.tls import https_proxy, tls_context

# httpx logs each request line at INFO; the lines name routes only, but keep the app's log to
# what it says itself.
logging.getLogger("httpx").setLevel(logging.WARNING)

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 20.0

MSG_UNREACHABLE = (
    "The account service could not be reached. Check the internet connection and try again."
)
MSG_TIMEOUT = "The account service took too long to answer. Try again in a few minutes."
MSG_TLS = (
    "The secure connection to the account service could not be verified, so nothing was sent. "
    "Check the computer's date and time, or ask whoever manages the network."
)
MSG_SERVER = (
    "The account service has a problem right now (error {status}). Nothing was changed; try "
    "again in a few minutes."
)
MSG_UNREADABLE = (
    "The account service gave an answer this version of Session Clock does not understand. "
    "Check for an update, or try again later."
)
MSG_BILLING = "Payments cannot be taken right now. Try again later."
MSG_ALREADY_SUBSCRIBED = (
    "This account already has a subscription. Choose Manage subscription to change it."
)
MSG_NOT_SUBSCRIBED = "This account has no subscription to manage yet. Choose Subscribe first."
MSG_SIGN_IN = (
    "That e-mail address and password do not match an account, or the address is not "
    "confirmed yet. Check them, or enter the code from the confirmation e-mail."
)
MSG_SIGNED_OUT = (
    "This computer is no longer signed in (it was signed out from another device, the password "
    "was changed or reset, or it was not used for a long time). Sign in again."
)
MSG_WRONG_PASSWORD = "The password is not right."  # noqa: S105 - a message, not a secret
MSG_CODE = (
    "That code is not right, or it has expired or been used. Check the latest e-mail, or ask "
    "for a new code."
)
MSG_RATE_LIMITED = "Too many attempts. Wait {wait} and try again."
MSG_NO_DEVICE = "That device is already signed out."
MSG_NOT_ACCEPTED = "The account service did not accept what was entered (error {status})."
MSG_NOT_HTTPS = (
    "The account service sent an address that is not secure (not https), so it was not opened."
)


def make_service_client(
    base_url: str,
    *,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """Return an httpx client for the account service at *base_url*.

    TLS is verified (``SSL_CERT_FILE`` or certifi's bundle), redirects are not followed (the
    service never redirects its API), cookies are never kept and ``.netrc`` is not read, so
    passwords go to the service only. An https service is reached through the proxy this
    computer is set to use, as calendars are: the tunnel keeps TLS end to end.
    """
    url = httpx.URL(base_url)
    return httpx.Client(
        base_url=base_url,
        proxy=https_proxy(url.host) if url.scheme == "https" and transport is None else None,
        verify=tls_context(os.environ if environ is None else environ),
        timeout=httpx.Timeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S, write=10, pool=10),
        follow_redirects=False,
        trust_env=False,
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        headers={"User-Agent": f"SessionClock/{__version__}", "Cache-Control": "no-store"},
        transport=transport,
    )


Refusals = Mapping[int, Callable[[httpx.Response], SessionClockError]]


def _fixed(
    error: type[SessionClockError], message: str
) -> Callable[[httpx.Response], SessionClockError]:
    return lambda _response: error(message)


def _password_rules(response: httpx.Response) -> SessionClockError:
    detail = _detail(response)
    if isinstance(detail, str) and detail:
        return PasswordRulesError(detail)
    return PasswordRulesError(MSG_NOT_ACCEPTED.format(status=response.status_code))


_SIGNED_OUT: Refusals = {401: _fixed(SignedOutError, MSG_SIGNED_OUT)}
_CODE: Refusals = {400: _fixed(CodeRefusedError, MSG_CODE), 422: _password_rules}
_PASSWORD: Refusals = {
    **_SIGNED_OUT,
    403: _fixed(WrongPasswordError, MSG_WRONG_PASSWORD),
    422: _password_rules,
}


def _detail(response: httpx.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("detail") if isinstance(body, dict) else None


def _wait_text(seconds: int) -> str:
    if seconds <= 0:
        return "a few minutes"
    if seconds < 90:
        return f"{seconds} seconds"
    minutes = (seconds + 59) // 60
    return f"{minutes} minutes"


def _retry_after(response: httpx.Response) -> int:
    try:
        return max(0, int(response.headers.get("Retry-After", "0")))
    except ValueError:
        return 0


def _is_tls_failure(error: BaseException) -> bool:
    current: BaseException | None = error
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError | ssl.CertificateError):
            return True
        current = current.__cause__ or current.__context__
    return False


def _refuse(response: httpx.Response, refusals: Refusals) -> NoReturn:
    status = response.status_code
    known = refusals.get(status)
    if known is not None:
        raise known(response)
    if status == 429:
        wait = _retry_after(response)
        raise RateLimitedError(MSG_RATE_LIMITED.format(wait=_wait_text(wait)), retry_after=wait)
    if status >= 500:
        raise ServiceFailedError(MSG_SERVER.format(status=status))
    if 400 <= status < 500:
        raise AccountError(MSG_NOT_ACCEPTED.format(status=status))
    raise ServiceFailedError(MSG_UNREADABLE)


class AccountApi:
    """The service's routes the app uses, over one httpx client (see ``make_service_client``).

    Methods that act for a signed-in practitioner take the API *token*. Every method raises
    ``AccountError`` (or a subclass) with a message that can be shown as it is.
    """

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    # -- signing up, in and out ----------------------------------------------------------------

    def sign_up(self, *, email: str, password: str) -> None:
        """Ask for an account; the service mails a code to confirm the address.

        The answer is the same whether or not the address already has an account.
        """
        self._send("POST", "/v1/accounts", json={"email": email, "password": password})

    def confirm_sign_up(self, *, email: str, code: str) -> None:
        """Confirm the address with the code from the e-mail.

        Raises:
            CodeRefusedError: the code is wrong, used or expired (one answer for all).
        """
        self._send(
            "POST", "/v1/accounts/confirm", json={"email": email, "code": code}, refusals=_CODE
        )

    def sign_in(self, *, email: str, password: str, device_name: str) -> IssuedToken:
        """Sign in as this device; return the new token.

        Raises:
            SignInFailedError: wrong password, unknown or unconfirmed address (one answer).
            RateLimitedError: too many failed attempts.
        """
        body = self._send(
            "POST",
            "/v1/tokens",
            json={"email": email, "password": password, "device_name": device_name},
            refusals={401: _fixed(SignInFailedError, MSG_SIGN_IN)},
        )
        return IssuedToken(id=_text(body, "id"), token=_text(body, "token"))

    def sign_out(self, *, token: str) -> None:
        """Revoke this device's token (a token already dead counts as signed out)."""
        self._send("DELETE", "/v1/tokens/current", token=token, also_fine=frozenset({401}))

    def devices(self, *, token: str) -> tuple[Device, ...]:
        """Return the devices signed in to the account."""
        body = self._send("GET", "/v1/tokens", token=token, refusals=_SIGNED_OUT)
        if not isinstance(body, list):
            raise ServiceFailedError(MSG_UNREADABLE)
        return tuple(_device(item) for item in body)

    def sign_out_device(self, *, token: str, device_id: str) -> None:
        """Sign another device (or this one) out.

        Raises:
            NotFoundError: the device is already signed out.
        """
        refusals: Refusals = {**_SIGNED_OUT, 404: lambda r: NotFoundError(MSG_NO_DEVICE)}
        if not device_id or "/" in device_id:
            raise NotFoundError(MSG_NO_DEVICE)
        self._send("DELETE", f"/v1/tokens/{device_id}", token=token, refusals=refusals)

    # -- passwords -----------------------------------------------------------------------------

    def request_password_reset(self, *, email: str) -> None:
        """Ask for a reset code by e-mail (the answer is the same for every address)."""
        self._send("POST", "/v1/password-resets", json={"email": email})

    def confirm_password_reset(self, *, email: str, code: str, new_password: str) -> None:
        """Set a new password with the code from the e-mail; every device is signed out.

        Raises:
            CodeRefusedError: the code is wrong, used or expired.
            PasswordRulesError: the new password is refused (the message says why).
        """
        self._send(
            "POST",
            "/v1/password-resets/confirm",
            json={"email": email, "code": code, "new_password": new_password},
            refusals=_CODE,
        )

    def change_password(self, *, token: str, current_password: str, new_password: str) -> None:
        """Change the password; every other device is signed out.

        Raises:
            WrongPasswordError: *current_password* is not right.
            PasswordRulesError: the new password is refused.
        """
        self._send(
            "POST",
            "/v1/account/password",
            token=token,
            json={"current_password": current_password, "new_password": new_password},
            refusals=_PASSWORD,
        )

    # -- the account and its subscription ------------------------------------------------------

    def account(self, *, token: str) -> AccountView:
        """Return everything the service knows of the account."""
        body = self._send("GET", "/v1/account", token=token, refusals=_SIGNED_OUT)
        if not isinstance(body, dict):
            raise ServiceFailedError(MSG_UNREADABLE)
        devices = body.get("devices")
        if not isinstance(devices, list):
            raise ServiceFailedError(MSG_UNREADABLE)
        return AccountView(
            id=_text(body, "id"),
            email=_text(body, "email"),
            created_at=moment_of(body, "created_at"),
            entitlement=_entitlement(body.get("entitlement")),
            devices=tuple(_device(item) for item in devices),
        )

    def entitlement(self, *, token: str) -> Entitlement:
        """Return what the account may use now."""
        return _entitlement(self._send("GET", "/v1/entitlement", token=token, refusals=_SIGNED_OUT))

    def checkout_url(self, *, token: str) -> str:
        """Return the Stripe Checkout address for subscribing (to open in the browser).

        Raises:
            AccountError: the account already has a subscription.
            BillingUnavailableError: the service cannot take payments now.
        """
        return self._browser_url("/v1/billing/checkout", token, MSG_ALREADY_SUBSCRIBED)

    def portal_url(self, *, token: str) -> str:
        """Return the Stripe customer-portal address (to open in the browser).

        Raises:
            AccountError: the account never subscribed.
            BillingUnavailableError: the service cannot take payments now.
        """
        return self._browser_url("/v1/billing/portal", token, MSG_NOT_SUBSCRIBED)

    def delete_account(self, *, token: str, password: str) -> None:
        """Delete the account at the service, with its subscription.

        Raises:
            WrongPasswordError: *password* is not right.
            SignedOutError: this device's sign-in is no longer valid.
        """
        self._send(
            "DELETE", "/v1/account", token=token, json={"password": password}, refusals=_PASSWORD
        )

    # -- plumbing ------------------------------------------------------------------------------

    def _browser_url(self, path: str, token: str, conflict: str) -> str:
        refusals: Refusals = {
            **_SIGNED_OUT,
            409: _fixed(AccountError, conflict),
            503: _fixed(BillingUnavailableError, MSG_BILLING),
        }
        url = _text(self._send("POST", path, token=token, refusals=refusals), "url")
        if not url.startswith("https://"):
            raise ServiceFailedError(MSG_NOT_HTTPS)
        return url

    def _send(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Mapping[str, str] | None = None,
        refusals: Refusals | None = None,
        also_fine: frozenset[int] = frozenset(),
    ) -> Any:
        return send(
            self._client,
            method,
            path,
            token=token,
            json=json,
            refusals=refusals,
            also_fine=also_fine,
        )


def send(
    client: httpx.Client,
    method: str,
    path: str,
    *,
    token: str | None = None,
    json: Mapping[str, Any] | None = None,
    params: Mapping[str, int] | None = None,
    refusals: Refusals | None = None,
    also_fine: frozenset[int] = frozenset(),
) -> Any:
    """Send one request to the service and return its JSON answer (None for an empty one).

    Raises:
        AccountError: the service could not be reached, failed, or refused (the refusal's own
            error from *refusals*, else one by status).
    """
    headers = {"Accept": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = client.request(method, path, json=json, params=params, headers=headers)
    except httpx.TimeoutException:
        raise ServiceUnreachableError(MSG_TIMEOUT) from None
    except httpx.TransportError as e:
        if _is_tls_failure(e):
            raise ServiceUnreachableError(MSG_TLS) from None
        raise ServiceUnreachableError(MSG_UNREACHABLE) from None
    if response.status_code in also_fine:
        return None
    if response.is_success:
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ServiceFailedError(MSG_UNREADABLE) from None
    _refuse(response, refusals or {})


def _text(body: object, key: str) -> str:
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, str):
        raise ServiceFailedError(MSG_UNREADABLE)
    return value


def moment_of(body: object, key: str) -> datetime:
    """Return the aware time the service sent under *key* of *body*.

    Raises:
        ServiceFailedError: it is missing, not a time, or has no offset.
    """
    value = body.get(key) if isinstance(body, Mapping) else None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ServiceFailedError(MSG_UNREADABLE) from None
    if moment.tzinfo is None:
        raise ServiceFailedError(MSG_UNREADABLE)
    return moment


def optional_moment_of(body: Mapping[str, Any], key: str) -> datetime | None:
    """Return the time under *key* of *body*, or ``None`` where the service sent none."""
    return None if body.get(key) is None else moment_of(body, key)


def _entitlement(body: object) -> Entitlement:
    if not isinstance(body, dict):
        raise ServiceFailedError(MSG_UNREADABLE)
    try:
        state = EntitlementState(str(body.get("state")))
        source = EntitlementSource(str(body.get("source")))
    except ValueError:
        raise ServiceFailedError(MSG_UNREADABLE) from None
    entitled = body.get("entitled")
    if not isinstance(entitled, bool):
        raise ServiceFailedError(MSG_UNREADABLE)
    return Entitlement(
        state=state,
        entitled=entitled,
        source=source,
        ends_at=optional_moment_of(body, "ends_at"),
        trial_ends_at=moment_of(body, "trial_ends_at"),
        checked_at=moment_of(body, "checked_at"),
    )


def _device(body: object) -> Device:
    if not isinstance(body, dict) or not isinstance(body.get("current"), bool):
        raise ServiceFailedError(MSG_UNREADABLE)
    return Device(
        id=_text(body, "id"),
        name=_text(body, "device_name"),
        created_at=moment_of(body, "created_at"),
        last_used_at=moment_of(body, "last_used_at"),
        current=bool(body["current"]),
    )
