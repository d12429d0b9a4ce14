"""Account use cases: sign-up, sign-in, tokens, password changes and resets, deletion.

Each function takes the assembled `Services` and keyword arguments, keeps its database
transactions short and runs bcrypt outside them (so a SQLite write lock is never held while a
password is hashed). Functions are synchronous; FastAPI runs them in its threadpool, so bcrypt
never blocks the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from sessionclock_service.billing import BillingError
from sessionclock_service.clock import as_utc
from sessionclock_service.db import rowcount
from sessionclock_service.email import account_deleted_message, password_reset_message
from sessionclock_service.entitlement import Entitlement, entitlement_of
from sessionclock_service.models import Account, ApiToken, PasswordResetToken
from sessionclock_service.security import (
    API_TOKEN_PREFIX,
    RESET_TOKEN_PREFIX,
    address_key,
    email_key,
    hash_token,
    is_row_id,
    new_id,
    new_token,
)
from sessionclock_service.services import Services

# Writing last_used_at on every request would turn every read into a write; a few minutes of
# slack changes nothing for an inactivity expiry measured in days.
_TOUCH_INTERVAL = timedelta(minutes=5)
MAX_PASSWORD_CHARS = 1024
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


class InvalidInputError(ValueError):
    """Raised when input is well-formed JSON but not acceptable (e.g. a short password)."""


class SignInFailedError(Exception):
    """Raised on a wrong e-mail or password; says nothing about which."""


class RateLimitedError(Exception):
    """Raised when too many sign-ins failed for this account or this address."""


class WrongPasswordError(Exception):
    """Raised when the caller's current password does not match."""


class ResetTokenInvalidError(Exception):
    """Raised when a reset token is unknown, used or expired (one answer for all three)."""


@dataclass(frozen=True, kw_only=True)
class Caller:
    """The account and token behind an authenticated request.

    Attributes:
        account_id: The caller's account.
        token_id: The API token the request came with.
    """

    account_id: str
    token_id: str


@dataclass(frozen=True, kw_only=True)
class IssuedToken:
    """A freshly issued API token; the only time the secret is visible.

    Attributes:
        id: The token's public id (for listing and revoking).
        token: The secret to send as ``Authorization: Bearer``.
    """

    id: str
    token: str


@dataclass(frozen=True, kw_only=True)
class TokenInfo:
    """One API token as the user sees it in the list (never the secret).

    Attributes:
        id: The token's public id.
        device_name: The name the device gave when signing in.
        created_at: When it was issued.
        last_used_at: When it was last used (to within a few minutes).
        current: Whether the listing request came with this token.
    """

    id: str
    device_name: str
    created_at: datetime
    last_used_at: datetime
    current: bool


@dataclass(frozen=True, kw_only=True)
class AccountView:
    """What the caller may read about its own account.

    Attributes:
        email: The account's e-mail address.
        entitlement: What the account may use now.
    """

    email: str
    entitlement: Entitlement


def check_password_rules(services: Services, password: str) -> None:
    """Refuse a password that is too short or absurdly long (never truncate it)."""
    minimum = services.settings.min_password_length
    if len(password) < minimum:
        raise InvalidInputError(f"The password must have at least {minimum} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInputError(f"The password must have at most {MAX_PASSWORD_CHARS} characters.")


def sign_up(services: Services, *, email: str, password: str) -> None:
    """Create an account with a trial, or do nothing visible when the e-mail is taken.

    The caller answers the same in both cases, and the password is hashed in both cases, so
    neither the answer nor its timing tells whether the address is registered.
    """
    check_password_rules(services, password)
    password_hash = services.hasher.hash(password)
    now = services.clock.now()
    try:
        with services.sessions() as db, db.begin():
            if db.scalar(select(Account.id).where(Account.email == email)) is not None:
                return
            db.add(
                Account(
                    id=new_id(),
                    email=email,
                    password_hash=password_hash,
                    created_at=now,
                    trial_ends_at=now + timedelta(days=services.settings.trial_days),
                    complimentary=False,
                )
            )
    except IntegrityError:
        # A concurrent sign-up with the same address won: same answer as "taken".
        return


def sign_in(
    services: Services, *, email: str, password: str, device_name: str, address: str
) -> IssuedToken:
    """Check the password and issue an API token.

    Raises:
        RateLimitedError: Too many failures for this e-mail or this address.
        SignInFailedError: Unknown e-mail or wrong password (the same bcrypt time is spent on both).
    """
    keys = [email_key(email), address_key(address)]
    now = services.clock.now()
    with services.sessions() as db, db.begin():
        if services.limiter.blocked(db, keys=keys, now=now):
            raise RateLimitedError
        row = db.execute(
            select(Account.id, Account.password_hash).where(Account.email == email)
        ).first()
    # An unknown e-mail is verified against a dummy hash: same bcrypt cost, same answer.
    ok = services.hasher.verify(password, row.password_hash if row is not None else None)
    with services.sessions() as db, db.begin():
        if not ok or row is None:
            services.limiter.record_failure(db, keys=keys, now=now)
            failed = True
        else:
            failed = False
            services.limiter.clear(db, key=keys[0])
            token = new_token(API_TOKEN_PREFIX)
            token_id = new_id()
            db.add(
                ApiToken(
                    id=token_id,
                    account_id=row.id,
                    token_hash=hash_token(token),
                    device_name=device_name,
                    created_at=now,
                    last_used_at=now,
                )
            )
    if failed:
        raise SignInFailedError
    return IssuedToken(id=token_id, token=token)


def authenticate(services: Services, *, token: str) -> Caller | None:
    """Return the caller behind an API token, or ``None`` (unknown, revoked or expired)."""
    now = services.clock.now()
    token_hash = hash_token(token)
    with services.readers() as db:
        row = db.execute(
            select(ApiToken.id, ApiToken.account_id, ApiToken.last_used_at).where(
                ApiToken.token_hash == token_hash
            )
        ).first()
    if row is None:
        return None
    last_used = as_utc(row.last_used_at)
    if now - last_used > services.token_inactivity:
        with services.sessions() as db, db.begin():
            db.execute(delete(ApiToken).where(ApiToken.id == row.id))
        return None
    if now - last_used > _TOUCH_INTERVAL:
        with services.sessions() as db, db.begin():
            db.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return Caller(account_id=row.account_id, token_id=row.id)


def list_tokens(services: Services, *, caller: Caller) -> list[TokenInfo]:
    """List the caller's own API tokens."""
    with services.readers() as db:
        rows = db.scalars(
            select(ApiToken)
            .where(ApiToken.account_id == caller.account_id)
            .order_by(ApiToken.created_at, ApiToken.id)
        ).all()
        return [
            TokenInfo(
                id=r.id,
                device_name=r.device_name,
                created_at=as_utc(r.created_at),
                last_used_at=as_utc(r.last_used_at),
                current=r.id == caller.token_id,
            )
            for r in rows
        ]


def revoke_token(services: Services, *, caller: Caller, token_id: str) -> bool:
    """Revoke one of the caller's tokens; another account's token counts as missing."""
    if not is_row_id(token_id):
        return False
    with services.sessions() as db, db.begin():
        result = db.execute(
            delete(ApiToken).where(
                ApiToken.id == token_id, ApiToken.account_id == caller.account_id
            )
        )
        return rowcount(result) == 1


def view_account(services: Services, *, caller: Caller) -> AccountView:
    """Return the caller's e-mail and entitlement."""
    now = services.clock.now()
    with services.readers() as db:
        account = db.get_one(Account, caller.account_id)
        return AccountView(email=account.email, entitlement=entitlement_of(account, now=now))


def entitlement(services: Services, *, caller: Caller) -> Entitlement:
    """Return what the caller may use now."""
    return view_account(services, caller=caller).entitlement


def change_password(
    services: Services, *, caller: Caller, current_password: str, new_password: str
) -> None:
    """Change the password and sign out every other device.

    Raises:
        WrongPasswordError: The current password does not match.
        InvalidInputError: The new password breaks the rules.
    """
    check_password_rules(services, new_password)
    with services.sessions() as db:
        current_hash = db.get_one(Account, caller.account_id).password_hash
    if not services.hasher.verify(current_password, current_hash):
        raise WrongPasswordError
    new_hash = services.hasher.hash(new_password)
    with services.sessions() as db, db.begin():
        db.execute(
            update(Account).where(Account.id == caller.account_id).values(password_hash=new_hash)
        )
        db.execute(
            delete(ApiToken).where(
                ApiToken.account_id == caller.account_id, ApiToken.id != caller.token_id
            )
        )


def request_password_reset(services: Services, *, email: str) -> None:
    """Create a reset token and queue its message when the e-mail is registered.

    Security: the caller answers 202 whatever happens here, so the response never reveals
    whether an account exists (the FastAPI template's password-recovery rule).
    """
    now = services.clock.now()
    minutes = services.settings.reset_token_minutes
    with services.sessions() as db, db.begin():
        account_id = db.scalar(select(Account.id).where(Account.email == email))
        if account_id is None:
            return
        token = new_token(RESET_TOKEN_PREFIX)
        db.add(
            PasswordResetToken(
                token_hash=hash_token(token),
                account_id=account_id,
                expires_at=now + timedelta(minutes=minutes),
                used_at=None,
            )
        )
        services.outbox.enqueue(
            db,
            kind="password_reset",
            message=password_reset_message(to=email, token=token, minutes=minutes),
        )


def confirm_password_reset(services: Services, *, token: str, new_password: str) -> None:
    """Use a reset token once: set the new password and sign out every device.

    Raises:
        ResetTokenInvalidError: Unknown, used or expired token.
        InvalidInputError: The new password breaks the rules.
    """
    check_password_rules(services, new_password)
    new_hash = services.hasher.hash(new_password)
    now = services.clock.now()
    token_hash = hash_token(token)
    with services.sessions() as db, db.begin():
        account_id = db.scalar(
            select(PasswordResetToken.account_id).where(PasswordResetToken.token_hash == token_hash)
        )
        # Single use by one conditional UPDATE: of two concurrent confirmations only one sees
        # rowcount 1.
        used = rowcount(
            db.execute(
                update(PasswordResetToken)
                .where(
                    PasswordResetToken.token_hash == token_hash,
                    PasswordResetToken.used_at.is_(None),
                    PasswordResetToken.expires_at > now,
                )
                .values(used_at=now)
            )
        )
        if used != 1 or account_id is None:
            raise ResetTokenInvalidError
        db.execute(update(Account).where(Account.id == account_id).values(password_hash=new_hash))
        db.execute(delete(ApiToken).where(ApiToken.account_id == account_id))
        db.execute(
            delete(PasswordResetToken).where(
                PasswordResetToken.account_id == account_id,
                PasswordResetToken.token_hash != token_hash,
            )
        )


def delete_account(services: Services, *, caller: Caller, password: str) -> None:
    """Delete the caller's account after checking the password.

    The Stripe subscription is cancelled and the Stripe customer deleted first; if Stripe
    cannot be reached nothing is deleted (the user retries) rather than leaving a paying
    subscription without an account.

    Raises:
        WrongPasswordError: The password does not match.
        BillingError: Stripe could not cancel or delete.
    """
    with services.sessions() as db:
        account = db.get_one(Account, caller.account_id)
        password_hash, email = account.password_hash, account.email
        customer_id, subscription_id = account.stripe_customer_id, account.stripe_subscription_id
        if account.subscription_status in ENDED_STATUSES:
            # Stripe refuses to cancel twice; deleting the customer below is enough.
            subscription_id = None
    if not services.hasher.verify(password, password_hash):
        raise WrongPasswordError
    if customer_id or subscription_id:
        if services.billing is None:
            raise BillingError("Billing is not configured; the subscription cannot be cancelled.")
        if subscription_id:
            services.billing.cancel_subscription(subscription_id=subscription_id)
        if customer_id:
            services.billing.delete_customer(customer_id=customer_id)
    with services.sessions() as db, db.begin():
        db.execute(delete(ApiToken).where(ApiToken.account_id == caller.account_id))
        db.execute(
            delete(PasswordResetToken).where(PasswordResetToken.account_id == caller.account_id)
        )
        db.execute(delete(Account).where(Account.id == caller.account_id))
        services.outbox.enqueue(
            db, kind="account_deleted", message=account_deleted_message(to=email)
        )
