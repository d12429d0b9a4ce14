"""JSON bodies of the public API (the contract the desktop app is built against).

``docs/service-api.md`` describes the routes the app uses with these shapes and their statuses;
``/openapi.json`` is generated from them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from sessionclock_service.security import clean_device_name, normalise_email
from sessionclock_service.usecases.entitlement import Entitlement
from sessionclock_service.usecases.tokens import TokenInfo

DEVICE_NAME_CHARS = 60
"""Longest device name kept (longer names are cut)."""


def _device_name(value: str) -> str:
    cleaned = clean_device_name(value, limit=DEVICE_NAME_CHARS)
    if not cleaned:
        raise ValueError("must contain visible text")
    return cleaned


Email = Annotated[str, Field(max_length=320), AfterValidator(normalise_email)]
Password = Annotated[str, Field(min_length=1, max_length=4096)]
Code = Annotated[str, Field(min_length=1, max_length=32, description="The code from the e-mail.")]
DeviceName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description=f"The practitioner's name for this device, e.g. 'Clinic PC'. Invisible "
        f"characters are dropped and it is cut to {DEVICE_NAME_CHARS} characters.",
    ),
    AfterValidator(_device_name),
]


class StrictBody(BaseModel):
    """Base of request bodies: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class SignUpIn(StrictBody):
    """``POST /v1/accounts``."""

    email: Email
    password: Password


class ConfirmSignUpIn(StrictBody):
    """``POST /v1/accounts/confirm``."""

    email: Email
    code: Code


class SignInIn(StrictBody):
    """``POST /v1/tokens``."""

    email: Email
    password: Password
    device_name: DeviceName


class TokenOut(BaseModel):
    """A new API token: shown once."""

    id: str
    token: str = Field(description="Send as 'Authorization: Bearer <token>'. Shown only once.")


class TokenInfoOut(BaseModel):
    """One API token (a signed-in device) in the caller's list."""

    id: str
    device_name: str
    created_at: datetime
    last_used_at: datetime = Field(description="When it was last used, to within five minutes.")
    current: bool = Field(description="Whether this request came with this token.")

    @classmethod
    def of(cls, value: TokenInfo) -> TokenInfoOut:
        """Shape one signed-in device for the answer."""
        return cls(
            id=value.id,
            device_name=value.device_name,
            created_at=value.created_at,
            last_used_at=value.last_used_at,
            current=value.current,
        )


class EntitlementOut(BaseModel):
    """What the account may use now, and what the app needs to show it and to work offline."""

    state: Literal["trial", "active", "past_due", "lapsed"] = Field(
        description="past_due: a payment failed and Stripe retries it; access continues until "
        "ends_at."
    )
    entitled: bool = Field(description="Whether the account may sync and edit now.")
    source: Literal["subscription", "complimentary", "trial", "none"]
    ends_at: datetime | None = Field(
        description="When the current access ends unless renewed (trial or paid period); null "
        "for complimentary access and when lapsed."
    )
    trial_ends_at: datetime
    checked_at: datetime = Field(description="The server's time of this answer.")

    @classmethod
    def of(cls, value: Entitlement) -> EntitlementOut:
        """Shape an entitlement for the answer."""
        return cls(
            state=value.state,
            entitled=value.entitled,
            source=value.source,
            ends_at=value.ends_at,
            trial_ends_at=value.trial_ends_at,
            checked_at=value.checked_at,
        )


class AccountOut(BaseModel):
    """``GET /v1/account``: everything the service knows of the caller's account."""

    email: str
    created_at: datetime
    entitlement: EntitlementOut
    devices: list[TokenInfoOut]


class DeleteAccountIn(StrictBody):
    """``DELETE /v1/account``."""

    password: Password


class ChangePasswordIn(StrictBody):
    """``POST /v1/account/password``."""

    current_password: Password
    new_password: Password


class ResetRequestIn(StrictBody):
    """``POST /v1/password-resets``."""

    email: Email


class ResetConfirmIn(StrictBody):
    """``POST /v1/password-resets/confirm``."""

    email: Email
    code: Code
    new_password: Password


class UrlOut(BaseModel):
    """An address to open in the browser (Checkout, customer portal)."""

    url: str


class MessageOut(BaseModel):
    """A plain status message."""

    detail: str


class ErrorOut(BaseModel):
    """A refusal: what went wrong, safe to show."""

    detail: str


def refusal(description: str) -> dict[str, Any]:
    """Describe one refusal of a route for the OpenAPI document (``responses={status: ...}``)."""
    return {"model": ErrorOut, "description": description}


class HealthOut(BaseModel):
    """``GET /health``."""

    status: Literal["ok"]
