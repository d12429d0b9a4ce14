"""Password reset by a short code mailed to the account's address and typed into the app.

An account has at most one outstanding reset code: asking again while it is alive sends nothing
new. The code is checked (and a wrong one counted) before any password is hashed, so bogus
codes cost the service no bcrypt work; a right one sets the new password, signs out every device
and is gone.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from sessionclock_service.clock import as_utc
from sessionclock_service.db.engine import rowcount
from sessionclock_service.db.models import Account, ApiToken, PasswordReset
from sessionclock_service.security import new_code, typed_code
from sessionclock_service.usecases.accounts import check_password_rules, forget_deletion_grants
from sessionclock_service.usecases.codes import (
    MAX_CODE_ATTEMPTS,
    CodeRefusedError,
    check_code_allowance,
    record_wrong_code,
)
from sessionclock_service.usecases.messages import password_reset_message
from sessionclock_service.usecases.services import Services

RESET_CODE = "reset"
"""What a reset code is for (bound into its hash)."""


def accept_reset_request(services: Services, *, address: str) -> None:
    """Count a reset request against the client address (before the answer, the same for all).

    Raises:
        RateLimitedError: The address asked for mail too often this hour.
    """
    with services.db.write() as db:
        services.limiter.accept_mail_request(db, address=address, now=services.clock.now())


def request_password_reset(services: Services, *, email: str) -> None:
    """Mail a reset code when *email* has an account, no live code and mail left for the day.

    Security: the caller has already been answered 202 when this runs (the route runs it after
    the answer), so neither the answer nor its timing tells whether the address is registered.
    """
    now = services.clock.now()
    minutes = services.settings.reset_code_minutes
    with services.db.write() as db:
        account_id = db.scalar(select(Account.id).where(Account.email == email))
        if account_id is None:
            return
        current = db.get(PasswordReset, account_id)
        if current is not None:
            if as_utc(current.expires_at) > now and current.attempts < MAX_CODE_ATTEMPTS:
                return  # one outstanding code at a time
            db.delete(current)
            db.flush()
        if not services.limiter.mail_allowed(db, email=email, now=now):
            return
        code = new_code()
        db.add(
            PasswordReset(
                account_id=account_id,
                code_hash=services.codes.hash(code, purpose=RESET_CODE, subject=account_id),
                attempts=0,
                created_at=now,
                expires_at=now + timedelta(minutes=minutes),
            )
        )
        services.outbox.enqueue(
            db,
            kind="password_reset",
            message=password_reset_message(to=email, code=code, minutes=minutes),
        )


def _check_code(services: Services, *, email: str, code: str, address: str) -> tuple[str, str]:
    """Check a reset code in one write transaction; return its account id and stored hash.

    A wrong code is counted against the code (dead at `MAX_CODE_ATTEMPTS`) and against the
    client address, and the count is committed before the refusal.

    Raises:
        CodeRefusedError: Wrong, dead or expired code, or no code for the address.
        RateLimitedError: This client address tried too many wrong codes lately.
    """
    typed = typed_code(code)
    now = services.clock.now()
    with services.db.write() as db:
        allowance = check_code_allowance(services, db, address=address, now=now)
        row = db.scalar(
            select(PasswordReset)
            .join(Account, Account.id == PasswordReset.account_id)
            .where(Account.email == email)
            .with_for_update(of=PasswordReset)
        )
        live = row is not None and as_utc(row.expires_at) > now and row.attempts < MAX_CODE_ATTEMPTS
        if row is not None and live:
            if services.codes.matches(
                typed, row.code_hash, purpose=RESET_CODE, subject=row.account_id
            ):
                return row.account_id, row.code_hash
            row.attempts += 1
        record_wrong_code(services, db, key=allowance, now=now)
    raise CodeRefusedError


def confirm_password_reset(
    services: Services, *, email: str, code: str, new_password: str, address: str
) -> None:
    """Use a reset code once: set the new password and sign out every device.

    Raises:
        InvalidInputError: The new password breaks the rules.
        CodeRefusedError: Wrong, dead, used or expired code, or no code for the address.
        RateLimitedError: This client address tried too many wrong codes lately, or caused (or
            this e-mail was the target of) too many password hashes this minute.
        HashingBusyError: The hashing threads are full.
    """
    check_password_rules(services, new_password)
    account_id, code_hash = _check_code(services, email=email, code=code, address=address)
    services.passwords.require_room()
    with services.db.write() as db:
        services.limiter.reserve_hash(db, email=email, address=address, now=services.clock.now())
    new_hash = services.passwords.hash(new_password)
    with services.db.write() as db:
        # Single use: of two confirmations racing with the right code, one deletes the row.
        used = rowcount(
            db.execute(
                delete(PasswordReset).where(
                    PasswordReset.account_id == account_id, PasswordReset.code_hash == code_hash
                )
            )
        )
        if used != 1:
            raise CodeRefusedError
        db.execute(update(Account).where(Account.id == account_id).values(password_hash=new_hash))
        db.execute(delete(ApiToken).where(ApiToken.account_id == account_id))
        forget_deletion_grants(db, account_id)
