"""Accounts, API tokens and password resets (``/v1``)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, HTTPException, Request, Response, status

from sessionclock_service import accounts
from sessionclock_service.deps import CurrentUser, ServicesDep
from sessionclock_service.entitlement import Entitlement
from sessionclock_service.schemas import (
    AccountOut,
    ChangePasswordIn,
    DeleteAccountIn,
    EntitlementOut,
    MessageOut,
    ResetConfirmIn,
    ResetRequestIn,
    SignInIn,
    SignUpIn,
    TokenInfoOut,
    TokenOut,
)

router = APIRouter(prefix="/v1", tags=["accounts"])

SIGN_UP_ANSWER = "If this address can be used, its account is ready: sign in to start the trial."
RESET_ANSWER = "If an account uses this address, a reset code is on its way."
_NOT_FOUND = "Not found."


def _address(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def _entitlement_out(value: Entitlement) -> EntitlementOut:
    return EntitlementOut(status=value.status, until=value.until, source=value.source)


@router.post("/accounts", status_code=status.HTTP_202_ACCEPTED)
def sign_up(body: SignUpIn, services: ServicesDep) -> MessageOut:
    """Create an account and start its trial.

    Security: the answer (and the time it takes) is the same whether or not the address is
    already registered, so sign-up cannot be used to find out who has an account.
    """
    accounts.sign_up(services, email=body.email, password=body.password)
    return MessageOut(detail=SIGN_UP_ANSWER)


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
def sign_in(body: SignInIn, request: Request, services: ServicesDep) -> TokenOut:
    """Sign in and return a new API token (shown only this once)."""
    issued = accounts.sign_in(
        services,
        email=body.email,
        password=body.password,
        device_name=body.device_name,
        address=_address(request),
    )
    return TokenOut(id=issued.id, token=issued.token)


@router.get("/tokens")
def list_tokens(caller: CurrentUser, services: ServicesDep) -> list[TokenInfoOut]:
    """List the caller's API tokens."""
    return [
        TokenInfoOut(
            id=t.id,
            device_name=t.device_name,
            created_at=t.created_at,
            last_used_at=t.last_used_at,
            current=t.current,
        )
        for t in accounts.list_tokens(services, caller=caller)
    ]


@router.delete("/tokens/current", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(caller: CurrentUser, services: ServicesDep) -> Response:
    """Revoke the token this request came with."""
    accounts.revoke_token(services, caller=caller, token_id=caller.token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: str, caller: CurrentUser, services: ServicesDep) -> Response:
    """Revoke one of the caller's tokens; any other id answers 404."""
    if not accounts.revoke_token(services, caller=caller, token_id=token_id):
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=_NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/account")
def get_account(caller: CurrentUser, services: ServicesDep) -> AccountOut:
    """Return the caller's e-mail and entitlement."""
    view = accounts.view_account(services, caller=caller)
    return AccountOut(email=view.email, entitlement=_entitlement_out(view.entitlement))


@router.get("/entitlement")
def get_entitlement(caller: CurrentUser, services: ServicesDep) -> EntitlementOut:
    """Return what the caller may use now (what the desktop app polls)."""
    return _entitlement_out(accounts.entitlement(services, caller=caller))


@router.delete("/account", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(
    body: DeleteAccountIn, caller: CurrentUser, services: ServicesDep, tasks: BackgroundTasks
) -> Response:
    """Delete the caller's account, its subscription and its Stripe customer."""
    accounts.delete_account(services, caller=caller, password=body.password)
    tasks.add_task(services.outbox.deliver_due, services.sessions)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/account/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: ChangePasswordIn, caller: CurrentUser, services: ServicesDep) -> Response:
    """Change the password; every other device is signed out."""
    accounts.change_password(
        services,
        caller=caller,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/password-resets", status_code=status.HTTP_202_ACCEPTED)
def request_reset(
    body: ResetRequestIn, services: ServicesDep, tasks: BackgroundTasks
) -> MessageOut:
    """Send a reset code if the address has an account; always answers 202.

    Security: the same answer for every address, and the message is sent after the answer,
    so neither the body nor the timing reveals whether the address is registered.
    """
    accounts.request_password_reset(services, email=body.email)
    tasks.add_task(services.outbox.deliver_due, services.sessions)
    return MessageOut(detail=RESET_ANSWER)


@router.post("/password-resets/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_reset(body: ResetConfirmIn, services: ServicesDep) -> Response:
    """Set a new password with a reset code; every device is signed out."""
    accounts.confirm_password_reset(services, token=body.token, new_password=body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
