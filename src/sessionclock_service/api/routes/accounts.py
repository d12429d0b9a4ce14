"""Accounts, their entitlement and password resets (``/v1``)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Response, status

from sessionclock_service.api.deps import CurrentUser, ServicesDep
from sessionclock_service.api.schemas import (
    AccountOut,
    ChangePasswordIn,
    DeleteAccountIn,
    EntitlementOut,
    MessageOut,
    ResetConfirmIn,
    ResetRequestIn,
    SignUpIn,
)
from sessionclock_service.usecases import accounts
from sessionclock_service.usecases.entitlement import Entitlement, current_entitlement

router = APIRouter(prefix="/v1", tags=["accounts"])

SIGN_UP_ANSWER = "If this address can be used, its account is ready: sign in to start the trial."
RESET_ANSWER = "If an account uses this address, a reset code is on its way."


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


@router.get("/account")
def get_account(caller: CurrentUser, services: ServicesDep) -> AccountOut:
    """Return the caller's e-mail and entitlement."""
    view = accounts.view_account(services, caller=caller)
    return AccountOut(email=view.email, entitlement=_entitlement_out(view.entitlement))


@router.get("/entitlement")
def get_entitlement(caller: CurrentUser, services: ServicesDep) -> EntitlementOut:
    """Return what the caller may use now (what the desktop app polls)."""
    return _entitlement_out(current_entitlement(services, caller=caller))


@router.delete("/account", status_code=status.HTTP_204_NO_CONTENT)
def delete_account(
    body: DeleteAccountIn, caller: CurrentUser, services: ServicesDep, tasks: BackgroundTasks
) -> Response:
    """Delete the caller's account, its subscription and its Stripe customer."""
    accounts.delete_account(services, caller=caller, password=body.password)
    tasks.add_task(services.outbox.deliver_due)
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
    tasks.add_task(services.outbox.deliver_due)
    return MessageOut(detail=RESET_ANSWER)


@router.post("/password-resets/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_reset(body: ResetConfirmIn, services: ServicesDep) -> Response:
    """Set a new password with a reset code; every device is signed out."""
    accounts.confirm_password_reset(services, token=body.token, new_password=body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
