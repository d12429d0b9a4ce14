"""Stripe Checkout, the customer portal and the Stripe webhook."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from sessionclock_service.api.deps import CurrentUser, ServicesDep
from sessionclock_service.api.schemas import MessageOut, UrlOut
from sessionclock_service.usecases import subscriptions

router = APIRouter(prefix="/v1", tags=["billing"])


@router.post("/billing/checkout")
def checkout(caller: CurrentUser, services: ServicesDep) -> UrlOut:
    """Return a Stripe Checkout address for the caller's subscription."""
    return UrlOut(url=subscriptions.start_checkout(services, caller=caller))


@router.post("/billing/portal")
def portal(caller: CurrentUser, services: ServicesDep) -> UrlOut:
    """Return a Stripe customer-portal address for the caller."""
    return UrlOut(url=subscriptions.open_portal(services, caller=caller))


@router.post("/stripe/webhook")
async def stripe_webhook(
    request: Request, services: ServicesDep, tasks: BackgroundTasks
) -> MessageOut:
    """Apply one Stripe event, verified on the raw body; replays answer 200 and change nothing."""
    subscriptions.require_billing(services)
    payload = await request.body()
    applied = await run_in_threadpool(
        subscriptions.handle_webhook,
        services,
        payload=payload,
        signature=request.headers.get("stripe-signature"),
    )
    tasks.add_task(services.outbox.deliver_due)
    return MessageOut(detail="applied" if applied else "already applied")


_RETURN_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    "<title>Session Clock</title></head><body><main><h1>{title}</h1>"
    "<p>You can close this page and return to Session Clock.</p></main></body></html>"
)

pages = APIRouter(prefix="/billing", include_in_schema=False)


@pages.get("/done", response_class=HTMLResponse)
async def checkout_done() -> HTMLResponse:
    """Where Stripe sends the browser back after Checkout or the portal."""
    return HTMLResponse(_RETURN_PAGE.format(title="Thank you"))


@pages.get("/cancelled", response_class=HTMLResponse)
async def checkout_cancelled() -> HTMLResponse:
    """Where Stripe sends the browser back when Checkout is abandoned."""
    return HTMLResponse(_RETURN_PAGE.format(title="Checkout cancelled"))
