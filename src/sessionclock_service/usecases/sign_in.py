"""The one sign-in step of customers and staff: rate limit, verify the password, record.

Customers (API tokens) and staff (the admin area) sign in through `attempt_sign_in`; only what
a successful sign-in opens differs. Failures are counted in the database per e-mail and per
client address, so the limit holds across workers, and each door counts its own failures.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from types import MappingProxyType
from typing import Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from sessionclock_service.db.models import Account, StaffAccount
from sessionclock_service.errors import ServiceError
from sessionclock_service.security import address_key, email_key, has_control_characters
from sessionclock_service.usecases.services import Services

T = TypeVar("T")

Door = Literal["customer", "staff"]
"""Who signs in: a customer (with an API token) or a staff member (the admin area)."""

_ACCOUNTS: dict[Door, type[Account] | type[StaffAccount]] = {
    "customer": Account,
    "staff": StaffAccount,
}
_KEY_PREFIXES: dict[Door, str] = {"customer": "", "staff": "staff-"}


class SignInFailedError(ServiceError):
    """Raised on a wrong e-mail or password; says nothing about which."""

    status = HTTPStatus.UNAUTHORIZED
    message = "Incorrect e-mail or password."


class RateLimitedError(ServiceError):
    """Raised when too many sign-ins failed for this e-mail or this address."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    message = "Too many failed sign-ins. Try again later."
    headers = MappingProxyType({"Retry-After": "900"})


def _nothing_more(_db: Session) -> None:
    """Record nothing beyond the failure itself."""


def attempt_sign_in(
    services: Services,
    *,
    door: Door,
    email: str,
    password: str,
    address: str,
    granted: Callable[[Session, str], T],
    refused: Callable[[Session], None] = _nothing_more,
) -> T:
    """Check *password* for *email* at *door*; on success open what *granted* opens.

    The rate limit is read first, and the account looked up, in a read transaction. bcrypt runs
    outside any transaction; an unknown e-mail is verified against a dummy hash, so it costs the
    same time and gets the same answer as a wrong password. The outcome is recorded in one write
    transaction: a failure against the e-mail and the address (and whatever *refused* adds), or
    the e-mail's failures cleared and *granted* called with the account id.

    Args:
        services: The running service.
        door: Customers and staff have separate accounts and separate failure counts.
        email: The normalised e-mail address given.
        password: The password given.
        address: The client's network address.
        granted: Opens the session (an API token, a staff cookie) in the write transaction.
        refused: Adds to the record of a failure in the write transaction (e.g. an audit line).

    Returns:
        What *granted* returned.

    Raises:
        RateLimitedError: Too many failures for this e-mail or this address.
        SignInFailedError: Unknown e-mail or wrong password.
    """
    if has_control_characters(email):
        raise SignInFailedError
    table = _ACCOUNTS[door]
    keys = [_KEY_PREFIXES[door] + email_key(email), _KEY_PREFIXES[door] + address_key(address)]
    now = services.clock.now()
    with services.db.read() as db:
        if services.limiter.blocked(db, keys=keys, now=now):
            raise RateLimitedError
        row = db.execute(select(table.id, table.password_hash).where(table.email == email)).first()
    ok = services.hasher.verify(password, row.password_hash if row is not None else None)
    with services.db.write() as db:
        if row is None or not ok:
            services.limiter.record_failure(db, keys=keys, now=now)
            refused(db)
        else:
            services.limiter.clear(db, key=keys[0])
            return granted(db, row.id)
    raise SignInFailedError
