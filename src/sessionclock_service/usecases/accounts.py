"""Account use cases: sign-up confirmed by a mailed code, what the account may read, password
changes, deletion.

Sign-up answers the same whether or not an address is registered, and hashes the password on
both paths, so neither the answer nor its timing tells who has an account; the address's owner
gets either a code or a notice. No account exists, and nothing can sign in, until the code is
confirmed, so signing up and then signing in tells nothing either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from urllib.parse import urlencode

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sessionclock_service.clock import as_utc
from sessionclock_service.db.models import Account, ApiToken, DeletionGrant, PasswordReset, Signup
from sessionclock_service.errors import InvalidInputError, ServiceError
from sessionclock_service.integrations.stripe import BillingError
from sessionclock_service.security import hash_token, new_code, new_id, new_token, typed_code
from sessionclock_service.usecases.codes import (
    MAX_CODE_ATTEMPTS,
    CodeRefusedError,
    check_code_allowance,
    record_wrong_code,
)
from sessionclock_service.usecases.entitlement import ENDED_STATUSES, Entitlement, entitlement_of
from sessionclock_service.usecases.messages import (
    account_deleted_message,
    account_exists_message,
    signup_code_message,
)
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.sign_in import check_password
from sessionclock_service.usecases.staff import forget_in_audit_log
from sessionclock_service.usecases.tokens import (
    Caller,
    TokenInfo,
    TokenRequiredError,
    own_account,
    tokens_of,
)

MAX_PASSWORD_CHARS = 1024
MAX_PENDING_SIGNUPS = 3
"""Sign-ups of one address waiting for their code at the same time; more are not recorded."""

SIGNUP_CODE = "signup"
"""What a sign-up code is for (bound into its hash)."""


@dataclass(frozen=True, kw_only=True)
class AccountView:
    """What the caller may read about its own account (what the app's privacy page shows).

    Attributes:
        id: The account's id (it never changes).
        email: The account's e-mail address.
        created_at: When the account was confirmed.
        entitlement: What the account may use now.
        devices: The API tokens signed in, oldest first.
    """

    id: str
    email: str
    created_at: datetime
    entitlement: Entitlement
    devices: list[TokenInfo]


def check_password_rules(services: Services, password: str) -> None:
    """Refuse a password that is too short or absurdly long (never truncate it)."""
    minimum = services.settings.min_password_length
    if len(password) < minimum:
        raise InvalidInputError(f"The password must have at least {minimum} characters.")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInputError(f"The password must have at most {MAX_PASSWORD_CHARS} characters.")


def confirm_link(services: Services, *, email: str, code: str) -> str:
    """Return the address of the service's page that confirms *code* for *email*."""
    base = services.settings.public_base_url.rstrip("/")
    return f"{base}/confirm?{urlencode({'email': email, 'code': code})}"


def sign_up(services: Services, *, email: str, password: str, address: str) -> None:
    """Record a sign-up and mail its code, or mail the owner a notice when the address is taken.

    The password is hashed on both paths and both queue one message, so the caller's answer
    (the same in every case) takes the same time whether or not the address is registered.
    Mail to one address is limited per day (beyond it nothing is sent, on both paths alike).

    Raises:
        InvalidInputError: The password breaks the rules.
        RateLimitedError: This client address signed up too often, or caused too many password
            hashes, or this e-mail was the target of too many this minute.
        HashingBusyError: The hashing threads are full.
    """
    check_password_rules(services, password)
    services.passwords.require_room()
    now = services.clock.now()
    with services.db.write() as db:
        services.limiter.reserve_hash(db, email=email, address=address, now=now, asks_mail=True)
    password_hash = services.passwords.hash(password)
    minutes = services.settings.signup_code_minutes
    with services.db.write() as db:
        may_mail = services.limiter.mail_allowed(db, email=email, now=now)
        db.execute(delete(Signup).where(Signup.email == email, Signup.expires_at <= now))
        pending = db.scalar(select(func.count()).select_from(Signup).where(Signup.email == email))
        if db.scalar(select(Account.id).where(Account.email == email)) is not None:
            if may_mail:
                services.outbox.enqueue(
                    db, kind="account_exists", message=account_exists_message(to=email)
                )
            return
        if not may_mail or (pending or 0) >= MAX_PENDING_SIGNUPS:
            return
        signup_id, code = new_id(), new_code()
        db.add(
            Signup(
                id=signup_id,
                email=email,
                password_hash=password_hash,
                code_hash=services.codes.hash(code, purpose=SIGNUP_CODE, subject=signup_id),
                attempts=0,
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
        )
        services.outbox.enqueue(
            db,
            kind="signup_code",
            message=signup_code_message(
                to=email,
                code=code,
                link=confirm_link(services, email=email, code=code),
                minutes=minutes,
            ),
        )


def confirm_sign_up(services: Services, *, email: str, code: str, address: str) -> None:
    """Turn the sign-up that *code* was mailed for into an account with its trial.

    One write transaction (rows locked on PostgreSQL) checks the code against each live sign-up
    of the address, and either creates the account and drops every sign-up of the address, or
    counts the wrong code against each of them and against the client address.

    Raises:
        CodeRefusedError: Wrong, dead or expired code, or no sign-up for the address.
        RateLimitedError: This client address tried too many wrong codes lately.
    """
    typed = typed_code(code)
    now = services.clock.now()
    confirmed = False
    try:
        with services.db.write() as db:
            allowance = check_code_allowance(services, db, address=address, now=now)
            pending = db.scalars(
                select(Signup)
                .where(
                    Signup.email == email,
                    Signup.expires_at > now,
                    Signup.attempts < MAX_CODE_ATTEMPTS,
                )
                .with_for_update()
            ).all()
            matching = [
                s
                for s in pending
                if services.codes.matches(typed, s.code_hash, purpose=SIGNUP_CODE, subject=s.id)
            ]
            if matching:
                db.execute(delete(Signup).where(Signup.email == email))
                db.add(
                    Account(
                        id=new_id(),
                        email=email,
                        password_hash=matching[0].password_hash,
                        created_at=now,
                        trial_ends_at=now + timedelta(days=services.settings.trial_days),
                        complimentary=False,
                    )
                )
                confirmed = True
            else:
                for signup in pending:
                    signup.attempts += 1
                record_wrong_code(services, db, key=allowance, now=now)
    except IntegrityError:
        # The address got its account through another sign-up's code at the same moment.
        raise CodeRefusedError from None
    if not confirmed:
        raise CodeRefusedError


def view_account(services: Services, *, caller: Caller) -> AccountView:
    """Return what the service knows of the caller's account."""
    now = services.clock.now()
    with services.db.read() as db:
        account = own_account(db, caller)
        return AccountView(
            id=account.id,
            email=account.email,
            created_at=as_utc(account.created_at),
            entitlement=entitlement_of(account, now=now),
            devices=tokens_of(db, caller),
        )


class WrongPasswordError(ServiceError):
    """Raised when the caller's current password does not match."""

    status = HTTPStatus.FORBIDDEN
    message = "The password is not correct."


def _check_current_password(
    services: Services, *, caller: Caller, password: str, address: str
) -> str:
    """Check the caller's current password, counted like a sign-in; return the account's e-mail.

    Raises:
        TokenRequiredError: The account is gone.
        WrongPasswordError: The password does not match.
        RateLimitedError: Too many wrong passwords for this account from this address, or from
            this address, or (from addresses it never signed in from) for this account.
        HashingBusyError: The hashing threads are full.
    """
    with services.db.read() as db:
        email = own_account(db, caller).email

    def lookup(db: Session) -> tuple[str, str] | None:
        row = db.execute(
            select(Account.id, Account.password_hash).where(Account.id == caller.account_id)
        ).first()
        return (row.id, row.password_hash) if row is not None else None

    checked = check_password(
        services, door="customer", email=email, address=address, password=password, lookup=lookup
    )
    if checked is None:
        raise WrongPasswordError
    return email


def change_password(
    services: Services,
    *,
    caller: Caller,
    current_password: str,
    new_password: str,
    address: str,
) -> None:
    """Change the password, sign out every other device and kill any reset code.

    Raises:
        WrongPasswordError: The current password does not match.
        InvalidInputError: The new password breaks the rules.
        RateLimitedError: Too many password checks or hashes lately.
        HashingBusyError: The hashing threads are full.
    """
    check_password_rules(services, new_password)
    email = _check_current_password(
        services, caller=caller, password=current_password, address=address
    )
    services.passwords.require_room()
    with services.db.write() as db:
        services.limiter.reserve_hash(db, email=email, address=address, now=services.clock.now())
    new_hash = services.passwords.hash(new_password)
    with services.db.write() as db:
        db.execute(
            update(Account).where(Account.id == caller.account_id).values(password_hash=new_hash)
        )
        db.execute(
            delete(ApiToken).where(
                ApiToken.account_id == caller.account_id, ApiToken.id != caller.token_id
            )
        )
        db.execute(delete(PasswordReset).where(PasswordReset.account_id == caller.account_id))
        forget_deletion_grants(db, caller.account_id)


class GrantRefusedError(ServiceError):
    """Raised when a deletion grant is not a live grant of the caller's account."""

    status = HTTPStatus.FORBIDDEN
    message = "The deletion grant is not valid: it expired, or the password changed since."


GRANT_PREFIX = "scd_"
"""How a deletion grant starts (an API token starts ``sct_``)."""


@dataclass(frozen=True, kw_only=True)
class IssuedGrant:
    """A deletion grant, shown once.

    Attributes:
        grant: The credential; the service keeps only its hash.
        expires_at: When it stops working.
    """

    grant: str
    expires_at: datetime


def issue_deletion_grant(
    services: Services, *, caller: Caller, password: str, address: str
) -> IssuedGrant:
    """Check the password and issue a credential that can only delete the caller's account.

    Raises:
        WrongPasswordError: The password does not match.
        RateLimitedError: Too many password checks lately.
        HashingBusyError: The hashing threads are full.
        TokenRequiredError: The account is gone.
    """
    _check_current_password(services, caller=caller, password=password, address=address)
    grant, now = new_token(GRANT_PREFIX), services.clock.now()
    expires_at = now + timedelta(days=services.settings.deletion_grant_days)
    try:
        with services.db.write() as db:
            db.add(
                DeletionGrant(
                    id=new_id(),
                    account_id=caller.account_id,
                    token_hash=hash_token(grant),
                    created_at=now,
                    expires_at=expires_at,
                )
            )
    except IntegrityError:  # the account was deleted meanwhile
        raise TokenRequiredError from None
    return IssuedGrant(grant=grant, expires_at=expires_at)


def _check_grant(services: Services, *, caller: Caller, grant: str) -> str:
    """Check that *grant* is a live deletion grant of the caller's account; return its e-mail.

    Raises:
        GrantRefusedError: It is not.
    """
    with services.db.read() as db:
        found = db.scalar(
            select(DeletionGrant.id).where(
                DeletionGrant.account_id == caller.account_id,
                DeletionGrant.token_hash == hash_token(grant),
                DeletionGrant.expires_at > services.clock.now(),
            )
        )
        if found is None:
            raise GrantRefusedError
        return own_account(db, caller).email


def forget_deletion_grants(db: Session, account_id: str) -> None:
    """Kill the account's deletion grants (its password changed)."""
    db.execute(delete(DeletionGrant).where(DeletionGrant.account_id == account_id))


def delete_account(
    services: Services,
    *,
    caller: Caller,
    password: str | None = None,
    grant: str | None = None,
    address: str,
) -> None:
    """Delete the caller's account after checking the password (or a deletion grant), and every
    trace of its address.

    The Stripe subscription is cancelled and the Stripe customer deleted first; if Stripe
    cannot be reached nothing is deleted (the user retries) rather than leaving a paying
    subscription without an account. Then, in one transaction, the account and its tokens and
    codes go, and its address is scrubbed from the audit log, the mail still queued for it and
    the limits' counts, before the deletion notice is queued (and sent, then dropped, by the
    outbox). SQLite's write-ahead log is emptied afterwards, so no copy of the rows lingers.

    Raises:
        WrongPasswordError: The password does not match.
        GrantRefusedError: The deletion grant is not live.
        RateLimitedError: Too many password checks lately.
        HashingBusyError: The hashing threads are full.
        BillingError: Stripe could not cancel or delete.
    """
    if grant is not None:
        email = _check_grant(services, caller=caller, grant=grant)
    else:
        assert password is not None
        email = _check_current_password(services, caller=caller, password=password, address=address)
    with services.db.read() as db:
        account = own_account(db, caller)
        customer_id, subscription_id = account.stripe_customer_id, account.stripe_subscription_id
        if account.subscription_status in ENDED_STATUSES:
            # Stripe refuses to cancel twice; deleting the customer below is enough.
            subscription_id = None
    if customer_id or subscription_id:
        if services.billing is None:
            raise BillingError("Billing is not configured; the subscription cannot be cancelled.")
        if subscription_id:
            services.billing.cancel_subscription(subscription_id=subscription_id)
        if customer_id:
            services.billing.delete_customer(customer_id=customer_id)
    with services.db.write() as db:
        tokens = db.scalars(select(ApiToken.id).where(ApiToken.account_id == caller.account_id))
        services.limiter.forget_quotas(db, subjects=[caller.account_id, *tokens])
        # Its devices, pairings, key envelopes and synced records go with it (ON DELETE CASCADE).
        db.execute(delete(ApiToken).where(ApiToken.account_id == caller.account_id))
        db.execute(delete(PasswordReset).where(PasswordReset.account_id == caller.account_id))
        db.execute(delete(Account).where(Account.id == caller.account_id))
        forget_in_audit_log(db, email=email)
        services.outbox.forget(db, email=email)
        services.limiter.scrub(db, email=email)
        services.outbox.enqueue(
            db, kind="account_deleted", message=account_deleted_message(to=email)
        )
    services.db.checkpoint()
