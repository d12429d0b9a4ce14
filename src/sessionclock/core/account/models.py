"""What the account service tells the app, as immutable values (parsed from its JSON answers)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class EntitlementState(enum.StrEnum):
    """What the service says of the account's subscription."""

    TRIAL = "trial"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    LAPSED = "lapsed"


class EntitlementSource(enum.StrEnum):
    """Where the account's access comes from."""

    SUBSCRIPTION = "subscription"
    COMPLIMENTARY = "complimentary"
    TRIAL = "trial"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Entitlement:
    """What the account may use, as the service answered at *checked_at*.

    Attributes:
        state: trial, active, past_due (a payment failed and is retried) or lapsed.
        entitled: whether the account may sync and edit (every state but lapsed).
        source: subscription, complimentary, trial or none.
        ends_at: when the current access ends unless renewed (None: complimentary, or lapsed).
        trial_ends_at: when the trial ends or ended.
        checked_at: the service's time of the answer.
    """

    state: EntitlementState
    entitled: bool
    source: EntitlementSource
    ends_at: datetime | None
    trial_ends_at: datetime
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class Device:
    """One signed-in device (an API token) of the account; never the token itself.

    Attributes:
        id: the token's public id (for "sign out this device").
        name: the name the device gave when it signed in.
        created_at: when it signed in.
        last_used_at: when it was last used (to within minutes).
        current: whether it is this computer.
    """

    id: str
    name: str
    created_at: datetime
    last_used_at: datetime
    current: bool


@dataclass(frozen=True, slots=True)
class AccountView:
    """Everything the service knows of the account, for the Account and Privacy pages.

    Attributes:
        id: the account's id at the service (bound into every synced record).
        email: the account's address.
        created_at: when the account was created.
        entitlement: its subscription state.
        devices: the devices signed in to it.
    """

    id: str
    email: str
    created_at: datetime
    entitlement: Entitlement
    devices: tuple[Device, ...]


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new sign-in: the token's public id and the secret (kept only in the OS key store)."""

    id: str
    token: str


@dataclass(frozen=True, slots=True)
class ServiceLink:
    """The account at the service a local account belongs to.

    Attributes:
        service_url: the service's base address.
        email: the account's e-mail address (stored sealed, never logged).
    """

    service_url: str
    email: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class LocalAccount:
    """A practitioner's profile on this computer, tied to an account at the service.

    Attributes:
        account_id: the local account (a random id).
        link: the account at the service.
        signed_in: whether it holds a sign-in token here.
    """

    account_id: str
    link: ServiceLink
    signed_in: bool


MIN_PASSWORD = 10
"""The service's shortest password (checked in the app first, so the practitioner hears at once)."""

PASSWORD_TOO_SHORT = f"Choose a password of at least {MIN_PASSWORD} characters."
PASSWORDS_DIFFER = "The two passwords are not the same."


def new_password_problem(password: str, repeat: str) -> str | None:
    """Return what is wrong with a new *password* typed twice, or None when it can be sent."""
    if len(password) < MIN_PASSWORD:
        return PASSWORD_TOO_SHORT
    if repeat != password:
        return PASSWORDS_DIFFER
    return None


def normalise_email(text: str) -> str:
    """Return the address as the service keeps it: trimmed and in lower case."""
    return text.strip().lower()


def looks_like_email(text: str) -> bool:
    """Return whether *text* could be an e-mail address (one @, a dot after it, no spaces)."""
    value = text.strip()
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain.strip(".") and not any(c.isspace() for c in value))
