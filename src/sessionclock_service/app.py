"""The composition root: `create_app(settings)` builds a complete service from its settings.

It assembles the layers and nothing else: the database, the provider adapters and the use cases'
`Services`, then the HTTP layer's routes, middleware and error handlers on top.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from importlib import resources

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp

from sessionclock_service.api.errors import add_error_handlers
from sessionclock_service.api.middleware import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from sessionclock_service.api.routes import (
    accounts,
    admin,
    billing,
    devices,
    health,
    keys,
    sync,
    tokens,
)
from sessionclock_service.clock import Clock, SystemClock
from sessionclock_service.db.engine import Database
from sessionclock_service.integrations.email import (
    EmailSender,
    ResendEmailSender,
    UnconfiguredEmailSender,
)
from sessionclock_service.integrations.stripe import StripeBilling
from sessionclock_service.security import CodeHasher, PasswordHasher
from sessionclock_service.settings import Settings, get_settings
from sessionclock_service.usecases import operations
from sessionclock_service.usecases.outbox import Outbox
from sessionclock_service.usecases.passwords import BoundedPool, Passwords
from sessionclock_service.usecases.ratelimit import Limiter
from sessionclock_service.usecases.services import Services

logger = logging.getLogger(__name__)


def _email_sender(settings: Settings) -> EmailSender:
    if not settings.resend_api_key:
        return UnconfiguredEmailSender()
    return ResendEmailSender(
        api_key=settings.resend_api_key,
        base_url=settings.resend_base_url,
        sender=settings.email_from,
    )


def build_services(settings: Settings, *, clock: Clock | None = None) -> Services:
    """Assemble the objects the use cases run on."""
    clock = clock or SystemClock()
    db = Database.connect(settings.database_url)
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        passwords=Passwords(
            PasswordHasher(pepper=settings.password_pepper, rounds=settings.bcrypt_rounds),
            BoundedPool(workers=settings.hash_workers, queue=settings.hash_queue, name="bcrypt"),
        ),
        codes=CodeHasher(settings.secret_key),
        limiter=Limiter(settings=settings),
        outbox=Outbox(
            db=db, secret_key=settings.secret_key, sender=_email_sender(settings), clock=clock
        ),
        billing=StripeBilling(settings=settings, clock=clock) if settings.billing_enabled else None,
    )


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """Build the service for *settings* (the database must already be migrated).

    Args:
        settings: The settings (see `get_settings`).
        clock: Source of time; the system clock unless a test passes its own.
    """
    services = build_services(settings, clock=clock)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.outbox_interval_seconds > 0:
            task = asyncio.create_task(_housekeeping_loop(services))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            services.outbox.sender.close()
            services.passwords.pool.shutdown()
            services.db.dispose()

    app = AccountService(
        title="Session Clock accounts",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.services = services
    app.include_router(health.router)
    app.include_router(accounts.router)
    app.include_router(accounts.pages)
    app.include_router(tokens.router)
    app.include_router(billing.router)
    app.include_router(devices.router)
    app.include_router(keys.router)
    app.include_router(sync.router)
    app.include_router(billing.pages)
    app.include_router(admin.router)
    app.mount(
        "/static",
        StaticFiles(directory=str(resources.files("sessionclock_service.api") / "static")),
        name="static",
    )
    # No CORS middleware on purpose: browsers on other origins get no access to any answer.
    app.add_middleware(
        BodySizeLimitMiddleware,
        limit=settings.max_body_bytes,
        larger={
            "/v1/stripe/webhook": settings.max_webhook_body_bytes,
            "/v1/sync/push": settings.sync_max_push_bytes,
            "/v1/keys/rotate": settings.sync_max_push_bytes,
        },
    )
    # Added last, so outermost of these: a request for another host is refused first.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.hosts)
    add_error_handlers(app)
    return app


class AccountService(FastAPI):
    """The service's app: the security headers wrap even Starlette's own error handling.

    Middleware added with ``add_middleware`` runs inside Starlette's ``ServerErrorMiddleware``,
    so a 500 would leave without the headers; here they are added outside it.
    """

    def build_middleware_stack(self) -> ASGIApp:
        """Wrap the whole stack in `SecurityHeadersMiddleware`."""
        return SecurityHeadersMiddleware(super().build_middleware_stack())


async def _housekeeping_loop(services: Services) -> None:
    """Send queued e-mail and drop expired rows every few seconds, in each worker (claims keep
    every message single)."""
    while True:
        await asyncio.sleep(services.settings.outbox_interval_seconds)
        try:
            await run_in_threadpool(operations.tidy, services)
        except Exception:
            logger.exception("Housekeeping round failed")


def create_app_from_env() -> FastAPI:
    """Build the app from the environment (the uvicorn factory used with several workers)."""
    return create_app(get_settings())
