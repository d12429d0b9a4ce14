"""Sign-in and the caller's API tokens (``/v1/tokens``)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from sessionclock_service.api.deps import NO_TOKEN, ClientAddress, CurrentUser, ServicesDep
from sessionclock_service.api.schemas import SignInIn, TokenInfoOut, TokenOut, refusal
from sessionclock_service.usecases import tokens

router = APIRouter(prefix="/v1", tags=["accounts"])


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    responses={
        401: refusal(
            "Wrong password, unknown address or an address not confirmed yet: one answer."
        ),
        429: refusal("Too many failed sign-ins; see Retry-After."),
        503: refusal("Every password-hashing thread is busy; try again after Retry-After."),
    },
)
def sign_in(body: SignInIn, address: ClientAddress, services: ServicesDep) -> TokenOut:
    """Sign in and return a new API token for this device (shown only this once)."""
    issued = tokens.sign_in(
        services,
        email=body.email,
        password=body.password,
        device_name=body.device_name,
        address=address,
    )
    return TokenOut(id=issued.id, token=issued.token)


@router.get("/tokens", responses={401: NO_TOKEN})
def list_tokens(caller: CurrentUser, services: ServicesDep) -> list[TokenInfoOut]:
    """List the caller's API tokens."""
    return [TokenInfoOut.of(t) for t in tokens.list_tokens(services, caller=caller)]


@router.delete("/tokens/current", status_code=status.HTTP_204_NO_CONTENT, responses={401: NO_TOKEN})
def sign_out(caller: CurrentUser, services: ServicesDep) -> Response:
    """Revoke the token this request came with."""
    tokens.sign_out(services, caller=caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: NO_TOKEN, 404: refusal("No such token of the caller.")},
)
def revoke_token(token_id: str, caller: CurrentUser, services: ServicesDep) -> Response:
    """Revoke one of the caller's tokens; any other id answers 404."""
    tokens.revoke_token(services, caller=caller, token_id=token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
