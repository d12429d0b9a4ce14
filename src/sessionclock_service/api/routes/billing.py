"""Stripe Checkout, the customer portal and the Stripe webhook."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from sessionclock_service.api.deps import NO_TOKEN, CurrentUser, ServicesDep
from sessionclock_service.api.schemas import MessageOut, UrlOut, refusal
from sessionclock_service.usecases import subscriptions

router = APIRouter(prefix="/v1", tags=["billing"])

STRIPE_DOWN = refusal("Stripe could not be reached or refused; try again later.")
NO_BILLING = refusal("Billing is not configured on this server.")


@router.post(
    "/billing/checkout",
    responses={
        401: NO_TOKEN,
        409: refusal("The account already has a subscription: open the portal instead."),
        502: STRIPE_DOWN,
        503: NO_BILLING,
    },
)
def checkout(caller: CurrentUser, services: ServicesDep) -> UrlOut:
    """Return a Stripe Checkout address for the caller's subscription."""
    return UrlOut(url=subscriptions.start_checkout(services, caller=caller))


@router.post(
    "/billing/portal",
    responses={
        401: NO_TOKEN,
        409: refusal("The account never subscribed: there is nothing to manage yet."),
        502: STRIPE_DOWN,
        503: NO_BILLING,
    },
)
def portal(caller: CurrentUser, services: ServicesDep) -> UrlOut:
    """Return a Stripe customer-portal address for the caller."""
    return UrlOut(url=subscriptions.open_portal(services, caller=caller))


@router.post(
    "/stripe/webhook",
    responses={
        400: refusal("The signature or timestamp does not verify."),
        502: STRIPE_DOWN,
        503: NO_BILLING,
    },
)
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
