"""The one password check of customers and staff: limits reserved first, bcrypt, then the record.

Signing in (customers with an API token, staff in the admin area) and confirming the current
password (changing it, deleting the account) all go through `check_password`:

1. In one write transaction, with the limit keys locked, the allowances are checked and the
   attempt is counted as a failure in advance (and as a password hash), and the account is
   looked up. Concurrent guesses therefore see each other: exactly the allowance is checked.
2. bcrypt runs outside any transaction, on the bounded hashing threads. An unknown e-mail is
   checked against a dummy hash, so it costs the same time and gets the same answer.
3. A right password drops its advance failure, clears the account's failures and remembers the
   client address as one the owner uses; a hash made at a lower cost than today's is replaced.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from http import HTTPStatus

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sessionclock_service.db.models import Account, StaffAccount
from sessionclock_service.errors import ServiceError
from sessionclock_service.security import has_control_characters
from sessionclock_service.usecases.passwords import HashingBusyError
from sessionclock_service.usecases.ratelimit import Door
from sessionclock_service.usecases.services import Services

_ACCOUNTS: dict[Door, type[Account] | type[StaffAccount]] = {
    "customer": Account,
    "staff": StaffAccount,
}

Lookup = Callable[[Session], tuple[str, str] | None]
"""Finds the account in the check's transaction: its id and password hash, or ``None``."""


class SignInFailedError(ServiceError):
    """Raised on a wrong e-mail or password; says nothing about which."""

    status = HTTPStatus.UNAUTHORIZED
    message = "Incorrect e-mail or password."


def by_email(door: Door, email: str) -> Lookup:
    """Return the lookup of the account of *email* at *door*."""
    table = _ACCOUNTS[door]

    def lookup(db: Session) -> tuple[str, str] | None:
        row = db.execute(select(table.id, table.password_hash).where(table.email == email)).first()
        return (row.id, row.password_hash) if row is not None else None

    return lookup


def check_password(
    services: Services,
    *,
    door: Door,
    email: str,
    address: str,
    password: str,
    lookup: Lookup,
) -> str | None:
    """Check *password* for the account *lookup* finds; return its id when right, else ``None``.

    Args:
        services: The running service.
        door: Customers and staff have separate accounts and separate failure counts.
        email: The account's e-mail (what failures are counted against).
        address: The client's network address.
        password: The password given.
        lookup: Finds the account's id and hash in the check's transaction.

    Raises:
        RateLimitedError: An allowance of this address, this e-mail or both must wait.
        HashingBusyError: The hashing threads are full (nothing was counted).
    """
    services.passwords.require_room()
    limiter = services.limiter
    attempt = limiter.password_attempt(door=door, email=email, address=address)
    now = services.clock.now()
    with services.db.write() as db:
        reservation = limiter.reserve(db, attempt, now=now)
        found = lookup(db)
    try:
        ok = services.passwords.verify(password, found[1] if found is not None else None)
    except HashingBusyError:
        with services.db.write() as db:
            limiter.release(db, attempt, reservation)
        raise
    if not ok or found is None:
        return None
    account_id, old_hash = found
    new_hash = None
    if services.passwords.outdated(old_hash):
        with contextlib.suppress(HashingBusyError):  # if busy, replaced at a later sign-in
            new_hash = services.passwords.hash(password)
    table = _ACCOUNTS[door]
    with services.db.write() as db:
        limiter.settle(db, attempt, reservation, now=now)
        if new_hash is not None:
            # Only if unchanged since it was read: a new password set meanwhile stays.
            db.execute(
                update(table)
                .where(table.id == account_id, table.password_hash == old_hash)
                .values(password_hash=new_hash)
            )
    return account_id


def attempt_sign_in(
    services: Services, *, door: Door, email: str, password: str, address: str
) -> str:
    """Check a sign-in at *door*; return the account's id.

    Raises:
        RateLimitedError: An allowance of this address, this e-mail or both must wait.
        HashingBusyError: The hashing threads are full.
        SignInFailedError: Unknown e-mail or wrong password.
    """
    if has_control_characters(email):
        raise SignInFailedError
    account_id = check_password(
        services,
        door=door,
        email=email,
        address=address,
        password=password,
        lookup=by_email(door, email),
    )
    if account_id is None:
        raise SignInFailedError
    return account_id
