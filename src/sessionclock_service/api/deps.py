"""Request dependencies as `Annotated` aliases: the services, the caller, the staff member."""

from __future__ import annotations

from http import HTTPStatus
from types import MappingProxyType
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sessionclock_service.api.schemas import refusal
from sessionclock_service.errors import ServiceError
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.staff import StaffIdentity, staff_from_cookie
from sessionclock_service.usecases.tokens import Caller, TokenRequiredError, authenticate

ADMIN_COOKIE = "sc_admin"

_bearer = HTTPBearer(auto_error=False, description="An API token from POST /v1/tokens.")


class AdminSignInRequiredError(ServiceError):
    """Raised by the admin guard: the browser is sent to the staff sign-in page."""

    status = HTTPStatus.SEE_OTHER
    message = "Sign in to the admin area first."
    headers = MappingProxyType({"Location": "/admin/login"})


def get_services(request: Request) -> Services:
    """Return the services the app was built with."""
    return cast(Services, request.app.state.services)


ServicesDep = Annotated[Services, Depends(get_services)]


def client_address(request: Request) -> str:
    """Return the network address the request came from (what sign-in limits count by)."""
    return request.client.host if request.client is not None else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


async def current_user(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Return the caller of a request carrying a valid API token, or answer 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise TokenRequiredError
    caller = await run_in_threadpool(authenticate, services, token=credentials.credentials)
    if caller is None:
        raise TokenRequiredError
    return caller


CurrentUser = Annotated[Caller, Depends(current_user)]

NO_TOKEN = refusal("No valid API token (missing, revoked, expired, or its account deleted).")
"""The refusal of every `CurrentUser` route, for their ``responses``."""


async def admin_user(request: Request, services: ServicesDep) -> StaffIdentity:
    """Return the signed-in staff member, or send the browser to the admin sign-in page.

    Customer API tokens are never accepted here: staff accounts are separate.
    """
    cookie = request.cookies.get(ADMIN_COOKIE)
    if not cookie or len(cookie) > 200:
        raise AdminSignInRequiredError
    staff = await run_in_threadpool(staff_from_cookie, services, cookie=cookie)
    if staff is None:
        raise AdminSignInRequiredError
    return staff


AdminUser = Annotated[StaffIdentity, Depends(admin_user)]
