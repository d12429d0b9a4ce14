"""Request dependencies as `Annotated` aliases: services, settings, the caller, the staff member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from sessionclock_service.accounts import Caller, authenticate
from sessionclock_service.services import Services
from sessionclock_service.settings import Settings
from sessionclock_service.staff import StaffIdentity, staff_from_cookie

ADMIN_COOKIE = "sc_admin"

_bearer = HTTPBearer(auto_error=False, description="An API token from POST /v1/tokens.")


class AdminSignInRequiredError(Exception):
    """Raised by the admin guard; answered with a redirect to the sign-in page."""


def get_services(request: Request) -> Services:
    """Return the services the app was built with."""
    return cast(Services, request.app.state.services)


ServicesDep = Annotated[Services, Depends(get_services)]


def get_app_settings(services: ServicesDep) -> Settings:
    """Return the app's settings."""
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_db(services: ServicesDep) -> Iterator[Session]:
    """Yield a database session for the request."""
    with services.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]


async def current_user(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """Return the caller of a request carrying a valid API token, or answer 401."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized()
    caller = await run_in_threadpool(authenticate, services, token=credentials.credentials)
    if caller is None:
        raise _unauthorized()
    return caller


def _unauthorized() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="A valid API token is required.",
        headers={"WWW-Authenticate": "Bearer"},
    )


CurrentUser = Annotated[Caller, Depends(current_user)]


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
