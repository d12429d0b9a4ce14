"""Accounts: sign-up and its confirmation, the account, its entitlement, passwords (``/v1``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request, Response, status
from fastapi.responses import HTMLResponse

from sessionclock_service.api.deps import NO_TOKEN, ClientAddress, CurrentUser, ServicesDep
from sessionclock_service.api.rendering import page
from sessionclock_service.api.schemas import (
    AccountOut,
    ChangePasswordIn,
    ConfirmSignUpIn,
    DeleteAccountIn,
    DeletionGrantIn,
    DeletionGrantOut,
    EntitlementOut,
    MessageOut,
    ResetConfirmIn,
    ResetRequestIn,
    SignUpIn,
    TokenInfoOut,
    refusal,
)
from sessionclock_service.security import normalise_email
from sessionclock_service.usecases import accounts, resets
from sessionclock_service.usecases.codes import CodeRefusedError
from sessionclock_service.usecases.entitlement import current_entitlement
from sessionclock_service.usecases.ratelimit import RateLimitedError
from sessionclock_service.usecases.services import Services

router = APIRouter(prefix="/v1", tags=["accounts"])

SIGN_UP_ANSWER = "Check your e-mail: the code to confirm this address is on its way."
RESET_ANSWER = "If an account uses this address, a reset code is on its way."

BAD_CODE = refusal("Wrong, used, expired or dead code, or no code for this address: one answer.")
TOO_MANY_CODES = refusal("Too many wrong codes from this client address; see Retry-After.")
WRONG_PASSWORD = refusal("The current password is not correct.")
RULES = refusal(
    "Malformed body (detail: a list of problems), or a password that breaks the rules "
    "(detail: a sentence to show)."
)
TOO_MANY = refusal(
    "Too many attempts from this client address or at this account; see Retry-After."
)
BUSY = refusal("Every password-hashing thread is busy; try again after Retry-After.")


@router.post(
    "/accounts",
    status_code=status.HTTP_202_ACCEPTED,
    responses={422: RULES, 429: TOO_MANY, 503: BUSY},
)
def sign_up(
    body: SignUpIn, address: ClientAddress, services: ServicesDep, tasks: BackgroundTasks
) -> MessageOut:
    """Sign up: mail a code that confirms the address (the account exists once it is confirmed).

    Security: the answer (and the time it takes) is the same whether or not the address is
    already registered; a registered address's owner is mailed a notice instead of a code, so
    sign-up cannot be used to find out who has an account.
    """
    accounts.sign_up(services, email=body.email, password=body.password, address=address)
    tasks.add_task(services.outbox.deliver_due)
    return MessageOut(detail=SIGN_UP_ANSWER)


@router.post(
    "/accounts/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: BAD_CODE, 429: TOO_MANY_CODES},
)
def confirm_sign_up(
    body: ConfirmSignUpIn, address: ClientAddress, services: ServicesDep
) -> Response:
    """Confirm the address with the mailed code: the account exists and may sign in."""
    accounts.confirm_sign_up(services, email=body.email, code=body.code, address=address)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/account", responses={401: NO_TOKEN})
def get_account(caller: CurrentUser, services: ServicesDep) -> AccountOut:
    """Return everything the service knows of the caller's account."""
    view = accounts.view_account(services, caller=caller)
    return AccountOut(
        id=view.id,
        email=view.email,
        created_at=view.created_at,
        entitlement=EntitlementOut.of(view.entitlement),
        devices=[TokenInfoOut.of(t) for t in view.devices],
    )


@router.get("/entitlement", responses={401: NO_TOKEN})
def get_entitlement(caller: CurrentUser, services: ServicesDep) -> EntitlementOut:
    """Return what the caller may use now (what the desktop app polls)."""
    return EntitlementOut.of(current_entitlement(services, caller=caller))


@router.delete(
    "/account",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        401: NO_TOKEN,
        403: refusal("The password is not correct, or the deletion grant is not live."),
        429: TOO_MANY,
        502: refusal("Stripe could not cancel the subscription; nothing was deleted."),
        503: BUSY,
    },
)
def delete_account(
    body: DeleteAccountIn,
    caller: CurrentUser,
    address: ClientAddress,
    services: ServicesDep,
    tasks: BackgroundTasks,
) -> Response:
    """Delete the caller's account, its subscription and its Stripe customer."""
    accounts.delete_account(
        services, caller=caller, password=body.password, grant=body.grant, address=address
    )
    tasks.add_task(_deliver_then_checkpoint, services)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _deliver_then_checkpoint(services: Services) -> None:
    # The deletion notice leaves the outbox once sent; no copy of it stays in SQLite's log.
    services.outbox.deliver_due()
    services.db.checkpoint()


@router.post(
    "/account/deletion-grant",
    status_code=status.HTTP_201_CREATED,
    responses={401: NO_TOKEN, 403: WRONG_PASSWORD, 429: TOO_MANY, 503: BUSY},
)
def issue_deletion_grant(
    body: DeletionGrantIn, caller: CurrentUser, address: ClientAddress, services: ServicesDep
) -> DeletionGrantOut:
    """Give a credential that can only delete the account (for a deletion made offline).

    It lasts 30 days, and dies when the password changes or is reset.
    """
    issued = accounts.issue_deletion_grant(
        services, caller=caller, password=body.password, address=address
    )
    return DeletionGrantOut(grant=issued.grant, expires_at=issued.expires_at)


@router.post(
    "/account/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: NO_TOKEN, 403: WRONG_PASSWORD, 422: RULES, 429: TOO_MANY, 503: BUSY},
)
def change_password(
    body: ChangePasswordIn, caller: CurrentUser, address: ClientAddress, services: ServicesDep
) -> Response:
    """Change the password; every other device is signed out and any reset code dies.

    Wrong current passwords count against the account like failed sign-ins.
    """
    accounts.change_password(
        services,
        caller=caller,
        current_password=body.current_password,
        new_password=body.new_password,
        address=address,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _reset_then_deliver(services: Services, email: str) -> None:
    resets.request_password_reset(services, email=email)
    services.outbox.deliver_due()


@router.post("/password-resets", status_code=status.HTTP_202_ACCEPTED, responses={429: TOO_MANY})
def request_reset(
    body: ResetRequestIn, address: ClientAddress, services: ServicesDep, tasks: BackgroundTasks
) -> MessageOut:
    """Mail a reset code if the address has an account; answers 202 for every address.

    Security: the same answer for every address, and the work (looking the address up, making
    the code, sending it) happens after the answer is sent, so neither the body nor the timing
    reveals whether the address is registered. Only the client address's own allowance of such
    requests is checked first.
    """
    resets.accept_reset_request(services, address=address)
    tasks.add_task(_reset_then_deliver, services, body.email)
    return MessageOut(detail=RESET_ANSWER)


@router.post(
    "/password-resets/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: BAD_CODE, 422: RULES, 429: TOO_MANY, 503: BUSY},
)
def confirm_reset(body: ResetConfirmIn, address: ClientAddress, services: ServicesDep) -> Response:
    """Set a new password with the mailed code; every device is signed out."""
    resets.confirm_password_reset(
        services,
        email=body.email,
        code=body.code,
        new_password=body.new_password,
        address=address,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


pages = APIRouter(include_in_schema=False)
"""The page the sign-up e-mail links to: the same code, confirmed in a browser."""


@pages.get("/confirm", response_class=HTMLResponse)
def confirm_page(
    request: Request,
    email: Annotated[str, Query(max_length=320)] = "",
    code: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    """Show the confirmation form, filled in from the e-mail's link.

    Opening the link confirms nothing by itself (mail scanners open links); the button does.
    """
    return page(request, "confirm.html", {"email": email, "code": code})


@pages.post("/confirm", response_class=HTMLResponse)
def confirm_from_page(
    request: Request,
    services: ServicesDep,
    address: ClientAddress,
    email: Annotated[str, Form(max_length=320)],
    code: Annotated[str, Form(max_length=32)],
) -> HTMLResponse:
    """Confirm an address from the page, with the same rules and answers as the API.

    No CSRF token: a forged submission would need the code, and with it the caller could
    confirm through the API directly; confirming grants nothing without the password.
    """
    context = {"email": email, "code": code}
    try:
        accounts.confirm_sign_up(services, email=normalise_email(email), code=code, address=address)
    except (ValueError, CodeRefusedError):
        return page(request, "confirm.html", context | {"error": CodeRefusedError.message}, 400)
    except RateLimitedError as exc:
        refused = page(request, "confirm.html", context | {"error": exc.detail}, 429)
        refused.headers.update(exc.response_headers)
        return refused
    return page(request, "confirm.html", {"confirmed": True})
