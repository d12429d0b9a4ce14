"""The app factory: `create_app(settings)` builds a complete service from its settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from importlib import resources

from fastapi import FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from sessionclock_service import accounts, billing, staff, subscriptions
from sessionclock_service.clock import Clock, SystemClock
from sessionclock_service.db import make_engine, make_read_sessionmaker, make_sessionmaker
from sessionclock_service.deps import AdminSignInRequiredError
from sessionclock_service.email import (
    EmailSender,
    Outbox,
    ResendEmailSender,
    UnconfiguredEmailSender,
)
from sessionclock_service.middleware import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from sessionclock_service.ratelimit import LoginLimiter
from sessionclock_service.routes import accounts as account_routes
from sessionclock_service.routes import admin as admin_routes
from sessionclock_service.routes import billing as billing_routes
from sessionclock_service.routes import health as health_routes
from sessionclock_service.security import PasswordHasher
from sessionclock_service.services import Services
from sessionclock_service.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def build_services(
    settings: Settings, *, clock: Clock | None = None, email_sender: EmailSender | None = None
) -> Services:
    """Assemble the objects the service runs on."""
    settings.validate()
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url)
    if email_sender is None:
        email_sender = (
            ResendEmailSender(
                api_key=settings.resend_api_key,
                base_url=settings.resend_base_url,
                sender=settings.email_from,
            )
            if settings.resend_api_key
            else UnconfiguredEmailSender()
        )
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=make_sessionmaker(engine),
        readers=make_read_sessionmaker(engine),
        hasher=PasswordHasher(pepper=settings.password_pepper, rounds=settings.bcrypt_rounds),
        limiter=LoginLimiter(
            max_failures=settings.login_max_failures,
            max_address_failures=settings.login_max_address_failures,
            window=timedelta(seconds=settings.login_window_seconds),
        ),
        outbox=Outbox(secret_key=settings.secret_key, sender=email_sender, clock=clock),
        billing=(
            billing.StripeBilling(settings=settings, clock=clock)
            if settings.billing_enabled
            else None
        ),
    )


def _json(code: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=code, headers=headers)


def create_app(
    settings: Settings, *, clock: Clock | None = None, email_sender: EmailSender | None = None
) -> FastAPI:
    """Build the service for *settings* (the database must already be migrated).

    Args:
        settings: Validated settings (see `get_settings`).
        clock: Source of time; the system clock unless a test passes its own.
        email_sender: Where e-mail goes; Resend (or nowhere, without a key) by default.
    """
    services = build_services(settings, clock=clock, email_sender=email_sender)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.outbox_interval_seconds > 0:
            task = asyncio.create_task(_outbox_loop(services))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            services.outbox.sender.close()
            services.engine.dispose()

    app = FastAPI(
        title="Session Clock accounts",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.services = services
    app.include_router(health_routes.router)
    app.include_router(account_routes.router)
    app.include_router(billing_routes.router)
    app.include_router(billing_routes.pages)
    app.include_router(admin_routes.router)
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("sessionclock_service") / "static")),
        name="static",
    )
    # No CORS middleware on purpose: browsers on other origins get no access to any answer.
    app.add_middleware(
        BodySizeLimitMiddleware,
        limit=settings.max_body_bytes,
        webhook_limit=settings.max_webhook_body_bytes,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    _add_exception_handlers(app)
    return app


def _clean(value: object) -> str | int:
    if isinstance(value, int):
        return value
    return str(value).encode("utf-8", "replace").decode("utf-8")[:100]


def _add_exception_handlers(app: FastAPI) -> None:
    async def validation_failed(_r: Request, exc: Exception) -> Response:
        # FastAPI's default answer echoes the rejected input: that would send a password back
        # (and a lone surrogate in it cannot even be encoded, turning a 422 into a 500).
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "loc": [_clean(part) for part in error.get("loc", ())],
                "msg": _clean(error.get("msg", "")),
                "type": _clean(error.get("type", "")),
            }
            for error in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    async def invalid_input(_r: Request, exc: Exception) -> Response:
        return _json(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))

    async def sign_in_failed(_r: Request, _e: Exception) -> Response:
        # The same answer for an unknown address and a wrong password.
        return _json(status.HTTP_401_UNAUTHORIZED, "Incorrect e-mail or password.")

    async def rate_limited(_r: Request, _e: Exception) -> Response:
        return _json(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "Too many failed sign-ins. Try again later.",
            {"Retry-After": "900"},
        )

    async def wrong_password(_r: Request, _e: Exception) -> Response:
        return _json(status.HTTP_403_FORBIDDEN, "The password is not correct.")

    async def reset_invalid(_r: Request, _e: Exception) -> Response:
        return _json(status.HTTP_400_BAD_REQUEST, "This reset code is not valid (or expired).")

    async def billing_unavailable(_r: Request, exc: Exception) -> Response:
        return _json(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc))

    async def billing_error(_r: Request, exc: Exception) -> Response:
        return _json(status.HTTP_502_BAD_GATEWAY, str(exc) or "Stripe could not be reached.")

    async def already_subscribed(_r: Request, _e: Exception) -> Response:
        return _json(
            status.HTTP_409_CONFLICT,
            "This account already has a subscription; manage it in the portal.",
        )

    async def no_customer(_r: Request, _e: Exception) -> Response:
        return _json(status.HTTP_409_CONFLICT, "This account has no subscription to manage yet.")

    async def webhook_rejected(_r: Request, _e: Exception) -> Response:
        return _json(status.HTTP_400_BAD_REQUEST, "The webhook signature does not verify.")

    async def account_missing(_r: Request, _e: Exception) -> Response:
        return _json(status.HTTP_404_NOT_FOUND, "Not found.")

    async def admin_sign_in(_r: Request, _e: Exception) -> Response:
        return RedirectResponse("/admin/login", status_code=status.HTTP_303_SEE_OTHER)

    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(accounts.InvalidInputError, invalid_input)
    app.add_exception_handler(accounts.SignInFailedError, sign_in_failed)
    app.add_exception_handler(accounts.RateLimitedError, rate_limited)
    app.add_exception_handler(accounts.WrongPasswordError, wrong_password)
    app.add_exception_handler(accounts.ResetTokenInvalidError, reset_invalid)
    app.add_exception_handler(subscriptions.BillingUnavailableError, billing_unavailable)
    app.add_exception_handler(billing.BillingError, billing_error)
    app.add_exception_handler(subscriptions.AlreadySubscribedError, already_subscribed)
    app.add_exception_handler(subscriptions.NoCustomerError, no_customer)
    app.add_exception_handler(billing.WebhookRejectedError, webhook_rejected)
    app.add_exception_handler(AdminSignInRequiredError, admin_sign_in)
    app.add_exception_handler(staff.AccountMissingError, account_missing)


async def _outbox_loop(services: Services) -> None:
    """Retry queued e-mail every few seconds in each worker (claims keep sends single)."""
    while True:
        await asyncio.sleep(services.settings.outbox_interval_seconds)
        try:
            await run_in_threadpool(services.outbox.deliver_due, services.sessions)
        except Exception:
            logger.exception("E-mail delivery round failed")


def create_app_from_env() -> FastAPI:
    """Build the app from the environment (the uvicorn factory used with several workers)."""
    return create_app(get_settings())
