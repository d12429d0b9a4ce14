"""Account use cases: sign-up, what the account may read, password changes and resets, deletion.

Sign-up and password recovery answer the same whether or not an address is registered, and
spend the same bcrypt time, so neither tells who has an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from sessionclock_service.db.engine import rowcount
from sessionclock_service.db.models import Account, ApiToken, PasswordResetToken
from sessionclock_service.errors import ServiceError
from sessionclock_service.integrations.stripe import BillingError
from sessionclock_service.security import RESET_TOKEN_PREFIX, hash_token, new_id, new_token
from sessionclock_service.usecases.entitlement import ENDED_STATUSES, Entitlement, entitlement_of
from sessionclock_service.usecases.messages import (
    account_deleted_message,
    password_reset_message,
)
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.tokens import Caller

MAX_PASSWORD_CHARS = 1024


class InvalidInputError(ServiceError):
    """Raised when input is well-formed but not acceptable (e.g. a short password)."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY


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
        with services.db.write() as db:
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


def view_account(services: Services, *, caller: Caller) -> AccountView:
    """Return the caller's e-mail and entitlement."""
    now = services.clock.now()
    with services.db.read() as db:
        account = db.get_one(Account, caller.account_id)
        return AccountView(email=account.email, entitlement=entitlement_of(account, now=now))


class WrongPasswordError(ServiceError):
    """Raised when the caller's current password does not match."""

    status = HTTPStatus.FORBIDDEN
    message = "The password is not correct."


def change_password(
    services: Services, *, caller: Caller, current_password: str, new_password: str
) -> None:
    """Change the password and sign out every other device.

    Raises:
        WrongPasswordError: The current password does not match.
        InvalidInputError: The new password breaks the rules.
    """
    check_password_rules(services, new_password)
    with services.db.read() as db:
        current_hash = db.get_one(Account, caller.account_id).password_hash
    if not services.hasher.verify(current_password, current_hash):
        raise WrongPasswordError
    new_hash = services.hasher.hash(new_password)
    with services.db.write() as db:
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
    with services.db.write() as db:
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


class ResetTokenInvalidError(ServiceError):
    """Raised when a reset token is unknown, used or expired (one answer for all three)."""

    status = HTTPStatus.BAD_REQUEST
    message = "This reset code is not valid (or expired)."


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
    with services.db.write() as db:
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
    with services.db.read() as db:
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
    with services.db.write() as db:
        db.execute(delete(ApiToken).where(ApiToken.account_id == caller.account_id))
        db.execute(
            delete(PasswordResetToken).where(PasswordResetToken.account_id == caller.account_id)
        )
        db.execute(delete(Account).where(Account.id == caller.account_id))
        services.outbox.enqueue(
            db, kind="account_deleted", message=account_deleted_message(to=email)
        )
