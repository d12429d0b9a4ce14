"""API tokens of the desktop app: issued at sign-in, checked on every request, listed, revoked.

Tokens are opaque, carry 256 random bits and are stored only as SHA-256 hashes. One unused for
longer than the inactivity limit stops working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from types import MappingProxyType

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sessionclock_service.clock import as_utc
from sessionclock_service.db.engine import rowcount
from sessionclock_service.db.models import Account, ApiToken
from sessionclock_service.errors import NotFoundError, ServiceError
from sessionclock_service.security import API_TOKEN_PREFIX, hash_token, is_row_id, new_id, new_token
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.sign_in import SignInFailedError, attempt_sign_in

# Writing last_used_at on every request would turn every read into a write; a few minutes of
# slack changes nothing for an inactivity expiry measured in days.
_TOUCH_INTERVAL = timedelta(minutes=5)


class TokenRequiredError(ServiceError):
    """Raised when a customer route is called without a valid API token.

    Also when the token's account was deleted while the request ran: its tokens are gone.
    """

    status = HTTPStatus.UNAUTHORIZED
    message = "A valid API token is required."
    headers = MappingProxyType({"WWW-Authenticate": "Bearer"})


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


def sign_in(
    services: Services, *, email: str, password: str, device_name: str, address: str
) -> IssuedToken:
    """Check the password and issue an API token for this device.

    An account holds at most ``max_tokens_per_account`` tokens: issuing one more revokes the
    one unused the longest.

    Raises:
        RateLimitedError: An allowance of this address, this e-mail or both must wait.
        HashingBusyError: The hashing threads are full.
        SignInFailedError: Unknown e-mail or wrong password (the same bcrypt time is spent on both).
    """
    account_id = attempt_sign_in(
        services, door="customer", email=email, password=password, address=address
    )
    now = services.clock.now()
    issued = IssuedToken(id=new_id(), token=new_token(API_TOKEN_PREFIX))
    keep = services.settings.max_tokens_per_account - 1
    try:
        with services.db.write() as db:
            oldest = db.scalars(
                select(ApiToken.id)
                .where(ApiToken.account_id == account_id)
                .order_by(ApiToken.last_used_at.desc(), ApiToken.created_at.desc())
                .offset(keep)
            ).all()
            if oldest:
                db.execute(delete(ApiToken).where(ApiToken.id.in_(oldest)))
            db.add(
                ApiToken(
                    id=issued.id,
                    account_id=account_id,
                    token_hash=hash_token(issued.token),
                    device_name=device_name,
                    created_at=now,
                    last_used_at=now,
                )
            )
    except IntegrityError:
        # The account was deleted since its password was checked.
        raise SignInFailedError from None
    return issued


def authenticate(services: Services, *, token: str) -> Caller | None:
    """Return the caller behind an API token, or ``None`` (unknown, revoked or expired)."""
    now = services.clock.now()
    token_hash = hash_token(token)
    with services.db.read() as db:
        row = db.execute(
            select(ApiToken.id, ApiToken.account_id, ApiToken.last_used_at).where(
                ApiToken.token_hash == token_hash
            )
        ).first()
    if row is None:
        return None
    last_used = as_utc(row.last_used_at)
    if now - last_used > services.settings.token_inactivity:
        with services.db.write() as db:
            db.execute(delete(ApiToken).where(ApiToken.id == row.id))
        return None
    if now - last_used > _TOUCH_INTERVAL:
        with services.db.write() as db:
            db.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    return Caller(account_id=row.account_id, token_id=row.id)


def own_account(db: Session, caller: Caller) -> Account:
    """Return the caller's account, or answer 401 when it was deleted since the token was checked.

    Raises:
        TokenRequiredError: The account no longer exists.
    """
    account = db.get(Account, caller.account_id)
    if account is None:
        raise TokenRequiredError
    return account


def tokens_of(db: Session, caller: Caller) -> list[TokenInfo]:
    """Return the caller's own API tokens, oldest first, in the caller's transaction."""
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


def list_tokens(services: Services, *, caller: Caller) -> list[TokenInfo]:
    """List the caller's own API tokens."""
    with services.db.read() as db:
        return tokens_of(db, caller)


def revoke_token(services: Services, *, caller: Caller, token_id: str) -> None:
    """Revoke one of the caller's tokens.

    Raises:
        NotFoundError: No such token of the caller (another account's token counts as missing).
    """
    if not is_row_id(token_id):
        raise NotFoundError
    with services.db.write() as db:
        result = db.execute(
            delete(ApiToken).where(
                ApiToken.id == token_id, ApiToken.account_id == caller.account_id
            )
        )
        if rowcount(result) != 1:
            raise NotFoundError


def sign_out(services: Services, *, caller: Caller) -> None:
    """Revoke the token the caller's request came with."""
    with services.db.write() as db:
        db.execute(delete(ApiToken).where(ApiToken.id == caller.token_id))
