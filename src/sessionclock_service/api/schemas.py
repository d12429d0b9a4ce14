"""JSON bodies of the public API (the contract the desktop app is built against)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _normalise_email(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an e-mail address")
    value.encode("utf-8")  # a lone surrogate is not an address
    return value


def _printable(value: str) -> str:
    value = value.strip()
    if not value or _CONTROL.search(value):
        raise ValueError("must be printable text")
    value.encode("utf-8")
    return value


Email = Annotated[str, Field(max_length=320), AfterValidator(_normalise_email)]
Password = Annotated[str, Field(min_length=1, max_length=4096)]
DeviceName = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_printable)]


class StrictBody(BaseModel):
    """Base of request bodies: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class SignUpIn(StrictBody):
    """``POST /v1/accounts``."""

    email: Email
    password: Password


class SignInIn(StrictBody):
    """``POST /v1/tokens``."""

    email: Email
    password: Password
    device_name: DeviceName


class TokenOut(BaseModel):
    """A new API token: shown once."""

    id: str
    token: str


class TokenInfoOut(BaseModel):
    """One API token in the caller's list."""

    id: str
    device_name: str
    created_at: datetime
    last_used_at: datetime
    current: bool


class EntitlementOut(BaseModel):
    """What the account may use: ``active`` until, ``trial`` until, or ``lapsed``."""

    status: Literal["active", "trial", "lapsed"]
    until: datetime | None
    source: Literal["subscription", "complimentary", "trial", "none"]


class AccountOut(BaseModel):
    """``GET /v1/account``."""

    email: str
    entitlement: EntitlementOut


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

    token: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: Password


class UrlOut(BaseModel):
    """An address to open in the browser (Checkout, customer portal)."""

    url: str


class MessageOut(BaseModel):
    """A plain status message."""

    detail: str


class HealthOut(BaseModel):
    """``GET /health``."""

    status: Literal["ok"]
