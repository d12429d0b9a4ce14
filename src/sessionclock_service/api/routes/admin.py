"""The admin area: server-rendered pages for staff accounts only.

Every route here except the sign-in form depends on `AdminUser`; a test walks the app's routes
to hold that. State-changing forms carry the session's CSRF token, cookies are SameSite=Strict
and HttpOnly, and every action lands in the audit log. The pages show an account's e-mail,
dates and subscription state, and the number and size of its devices' sealed records, never one
of them.
"""

from __future__ import annotations

import secrets
from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sessionclock_service.api.deps import (
    ADMIN_COOKIE,
    AdminUser,
    ClientAddress,
    ServicesDep,
    get_services,
)
from sessionclock_service.api.rendering import page
from sessionclock_service.errors import ServiceError
from sessionclock_service.integrations.stripe import BillingError
from sessionclock_service.security import constant_time_equal, normalise_email
from sessionclock_service.usecases import staff as staff_cases
from sessionclock_service.usecases.passwords import HashingBusyError
from sessionclock_service.usecases.ratelimit import RateLimitedError
from sessionclock_service.usecases.sign_in import SignInFailedError
from sessionclock_service.usecases.staff import AccountMissingError, StaffIdentity
from sessionclock_service.usecases.subscriptions import BillingUnavailableError

LOGIN_CSRF_COOKIE = "sc_admin_login"


class CsrfRefusedError(ServiceError):
    """Raised when a form does not carry the CSRF token of its session (or of the sign-in)."""

    status = HTTPStatus.FORBIDDEN
    message = "CSRF check failed."


router = APIRouter(prefix="/admin", include_in_schema=False)


async def admin_csrf(
    staff: AdminUser, csrf_token: Annotated[str, Form(max_length=200)] = ""
) -> StaffIdentity:
    """Return the staff member when the form carries this session's CSRF token, else 403."""
    if not csrf_token or not constant_time_equal(csrf_token, staff.csrf_token):
        raise CsrfRefusedError
    return staff


AdminForm = Annotated[StaffIdentity, Depends(admin_csrf)]


def _login_page(request: Request, *, error: str | None = None, code: int = 200) -> HTMLResponse:
    """Render the sign-in form with a fresh double-submit CSRF token (in the form and a cookie)."""
    token = secrets.token_urlsafe(32)
    response = page(request, "login.html", {"csrf_token": token, "error": error}, code=code)
    _set_cookie(request, response, LOGIN_CSRF_COOKIE, token)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """Show the staff sign-in form."""
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    services: ServicesDep,
    address: ClientAddress,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=4096)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check a staff password and open a session."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not csrf_token or not constant_time_equal(expected, csrf_token):
        raise CsrfRefusedError
    try:
        cookie = staff_cases.staff_sign_in(
            services, email=normalise_email(email), password=password, address=address
        )
    except (ValueError, SignInFailedError):  # not an address at all, or no such staff member
        return _login_page(request, error="Incorrect e-mail or password.", code=401)
    except (RateLimitedError, HashingBusyError) as exc:
        refused = _login_page(request, error="Too many attempts. Try again later.", code=401)
        refused.headers.update(exc.response_headers)
        return refused
    response = RedirectResponse("/admin", status_code=status.HTTP_303_SEE_OTHER)
    _set_cookie(request, response, ADMIN_COOKIE, cookie)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin")
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=get_services(request).settings.secure_cookies,
        path="/admin",
    )


@router.post("/logout")
def logout(staff: AdminForm, services: ServicesDep) -> Response:
    """Sign the staff member out."""
    staff_cases.staff_sign_out(services, staff=staff)
    response = RedirectResponse("/admin/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(ADMIN_COOKIE, path="/admin")
    return response


@router.get("", response_class=HTMLResponse)
def search(
    request: Request,
    staff: AdminUser,
    services: ServicesDep,
    q: Annotated[str, Query(max_length=254)] = "",
) -> HTMLResponse:
    """Find accounts by e-mail (or id)."""
    results = staff_cases.search_accounts(services, staff=staff, query=q) if q.strip() else None
    return page(request, "search.html", {"staff": staff, "q": q, "results": results})


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(
    request: Request, account_id: str, staff: AdminUser, services: ServicesDep
) -> HTMLResponse:
    """Show one account's identity and access."""
    try:
        summary, storage = staff_cases.get_account(services, staff=staff, account_id=account_id)
    except AccountMissingError:
        return page(request, "missing.html", {"staff": staff}, code=404)
    # Only the service's own notices are shown: a crafted link cannot put words on this page.
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    return page(
        request,
        "account.html",
        {
            "staff": staff,
            "account": summary,
            "storage": storage,
            "notice": notice,
            "billing": services.billing is not None,
        },
    )


NOTICES = {
    "granted": "Complimentary access granted.",
    "revoked": "Complimentary access revoked.",
    "cancelled": "Subscription cancelled.",
    "billing-unavailable": "Billing is not configured, so nothing was cancelled.",
    "stripe-error": "Stripe could not be reached; nothing was changed. Try again later.",
}
"""What the account page may say after an action, by the code in its address."""


def _back(account_id: str, notice: str) -> RedirectResponse:
    return RedirectResponse(
        f"/admin/accounts/{account_id}?notice={notice}", status_code=status.HTTP_303_SEE_OTHER
    )


@router.post("/accounts/{account_id}/grant")
def grant(account_id: str, staff: AdminForm, services: ServicesDep) -> Response:
    """Grant complimentary access."""
    staff_cases.set_complimentary(services, staff=staff, account_id=account_id, granted=True)
    return _back(account_id, "granted")


@router.post("/accounts/{account_id}/revoke")
def revoke(account_id: str, staff: AdminForm, services: ServicesDep) -> Response:
    """Revoke complimentary access."""
    staff_cases.set_complimentary(services, staff=staff, account_id=account_id, granted=False)
    return _back(account_id, "revoked")


@router.post("/accounts/{account_id}/cancel-subscription")
async def cancel_subscription(account_id: str, staff: AdminForm, services: ServicesDep) -> Response:
    """Cancel the account's Stripe subscription now."""
    try:
        await run_in_threadpool(
            staff_cases.cancel_subscription, services, staff=staff, account_id=account_id
        )
    except BillingUnavailableError:
        return _back(account_id, "billing-unavailable")
    except BillingError:
        return _back(account_id, "stripe-error")
    return _back(account_id, "cancelled")


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, staff: AdminUser, services: ServicesDep) -> HTMLResponse:
    """Show the latest admin actions."""
    return page(request, "audit.html", {"staff": staff, "entries": staff_cases.audit_log(services)})
