"""Admin use cases for staff accounts: sign-in, search, complimentary access, cancellation.

Staff accounts are separate from customer accounts. Every action is written to the audit log
in a write transaction of its own or of the change it records; looking is read first, then
audited, so a search never holds SQLite's write lock while it scans. Nothing here reads or shows
anything but an account's e-mail, dates and subscription state, and how many devices and synced
records it has and their size: the records are sealed on the devices, and staff never see one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sessionclock_service.clock import as_utc
from sessionclock_service.db.models import (
    Account,
    AuditEntry,
    Device,
    StaffAccount,
    StaffSession,
)
from sessionclock_service.errors import NotFoundError, ServiceError
from sessionclock_service.security import (
    has_control_characters,
    hash_token,
    is_row_id,
    new_id,
    new_token,
)
from sessionclock_service.usecases.entitlement import ENDED_STATUSES, Entitlement, entitlement_of
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.sign_in import SignInFailedError, attempt_sign_in
from sessionclock_service.usecases.subscriptions import apply_state, require_billing
from sessionclock_service.usecases.sync import usage

SEARCH_LIMIT = 50


class AccountMissingError(NotFoundError):
    """Raised when an account id does not exist."""


class StaffExistsError(ServiceError):
    """Raised when a staff account is created for an e-mail that has one."""

    status = HTTPStatus.CONFLICT
    message = "A staff account with this e-mail exists."


@dataclass(frozen=True, kw_only=True)
class StaffIdentity:
    """The staff member behind an admin request.

    Attributes:
        staff_id: The staff account.
        email: Its e-mail, written into the audit log.
        csrf_token: The CSRF token of this sign-in.
        session_hash: Hash of the session cookie (for signing out).
    """

    staff_id: str
    email: str
    csrf_token: str
    session_hash: str


@dataclass(frozen=True, kw_only=True)
class AccountSummary:
    """What the admin area shows about an account: nothing but identity and access.

    Attributes:
        id: The account id.
        email: The account's e-mail.
        created_at: When it signed up.
        entitlement: Its current access.
        complimentary: Whether staff granted access.
        subscription_status: Stripe's status as last read, if any.
        subscription_period_end: End of the paid period, if any.
        has_subscription: Whether there is a Stripe subscription to cancel.
    """

    id: str
    email: str
    created_at: datetime
    entitlement: Entitlement
    complimentary: bool
    subscription_status: str | None
    subscription_period_end: datetime | None
    has_subscription: bool


@dataclass(frozen=True, kw_only=True)
class StorageSummary:
    """What an account keeps at the service for its devices: counts and sizes, never a record.

    Attributes:
        devices: Registered devices.
        records: Live synced records.
        record_bytes: Their sealed size in total.
    """

    devices: int
    records: int
    record_bytes: int


@dataclass(frozen=True, kw_only=True)
class AuditView:
    """One audit-log line as shown.

    Attributes:
        at: When.
        staff_email: Who.
        action: What.
        account_id: On which account, if any.
        detail: A short detail (e.g. the search text).
    """

    at: datetime
    staff_email: str
    action: str
    account_id: str | None
    detail: str


def create_staff(services: Services, *, email: str, password: str) -> None:
    """Create a staff account (from the command line).

    Raises:
        StaffExistsError: A staff account with this e-mail exists.
    """
    password_hash = services.passwords.hash(password)
    try:
        with services.db.write() as db:
            db.add(
                StaffAccount(
                    id=new_id(),
                    email=email,
                    password_hash=password_hash,
                    created_at=services.clock.now(),
                )
            )
    except IntegrityError:
        # Not chained: the database's message would carry the row, password hash included.
        raise StaffExistsError from None


def _audit(
    services: Services,
    db: Session,
    *,
    staff_email: str,
    action: str,
    account_id: str | None = None,
    detail: str = "",
) -> None:
    db.add(
        AuditEntry(
            at=services.clock.now(),
            staff_email=staff_email,
            action=action,
            account_id=account_id,
            detail=detail[:200],
        )
    )


def staff_sign_in(services: Services, *, email: str, password: str, address: str) -> str:
    """Check a staff password and open a session; return the value of its cookie.

    Staff sign in through the same limited step as customers, with failure counts of their own.

    Raises:
        RateLimitedError: An allowance of this address, this e-mail or both must wait.
        HashingBusyError: The hashing threads are full.
        SignInFailedError: Unknown e-mail or wrong password.
    """
    try:
        staff_id = attempt_sign_in(
            services, door="staff", email=email, password=password, address=address
        )
    except SignInFailedError:
        with services.db.write() as db:
            _audit(services, db, staff_email=email, action="sign_in_failed")
        raise
    now = services.clock.now()
    cookie = new_token("sca_")
    with services.db.write() as db:
        db.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
        db.add(
            StaffSession(
                token_hash=hash_token(cookie),
                staff_id=staff_id,
                csrf_token=new_token(""),
                expires_at=now + timedelta(minutes=services.settings.admin_session_minutes),
            )
        )
        _audit(services, db, staff_email=email, action="sign_in")
    return cookie


def staff_from_cookie(services: Services, *, cookie: str) -> StaffIdentity | None:
    """Return the staff member of a session cookie, or ``None`` when unknown or expired."""
    session_hash = hash_token(cookie)
    now = services.clock.now()
    with services.db.read() as db:
        row = db.execute(
            select(
                StaffSession.staff_id,
                StaffSession.csrf_token,
                StaffSession.expires_at,
                StaffAccount.email,
            )
            .join(StaffAccount, StaffAccount.id == StaffSession.staff_id)
            .where(StaffSession.token_hash == session_hash)
        ).first()
    if row is None or as_utc(row.expires_at) <= now:
        return None
    return StaffIdentity(
        staff_id=row.staff_id,
        email=row.email,
        csrf_token=row.csrf_token,
        session_hash=session_hash,
    )


def staff_sign_out(services: Services, *, staff: StaffIdentity) -> None:
    """End a staff session."""
    with services.db.write() as db:
        db.execute(delete(StaffSession).where(StaffSession.token_hash == staff.session_hash))
        _audit(services, db, staff_email=staff.email, action="sign_out")


def _account(db: Session, account_id: str) -> Account:
    """Return the account *account_id*, or raise `AccountMissingError`."""
    account = db.get(Account, account_id) if is_row_id(account_id) else None
    if account is None:
        raise AccountMissingError
    return account


def _summary(account: Account, *, now: datetime) -> AccountSummary:
    return AccountSummary(
        id=account.id,
        email=account.email,
        created_at=as_utc(account.created_at),
        entitlement=entitlement_of(account, now=now),
        complimentary=account.complimentary,
        subscription_status=account.subscription_status,
        subscription_period_end=(
            as_utc(account.subscription_period_end)
            if account.subscription_period_end is not None
            else None
        ),
        has_subscription=bool(account.stripe_subscription_id)
        and account.subscription_status is not None
        and account.subscription_status not in ENDED_STATUSES,
    )


def search_accounts(
    services: Services, *, staff: StaffIdentity, query: str
) -> list[AccountSummary]:
    """Find accounts by part of their e-mail or by exact id (audited)."""
    text = "".join(c for c in query.strip().lower() if not has_control_characters(c))
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    now = services.clock.now()
    with services.db.read() as db:
        rows = db.scalars(
            select(Account)
            .where(or_(Account.email.like(f"%{escaped}%", escape="\\"), Account.id == text))
            .order_by(Account.email)
            .limit(SEARCH_LIMIT)
        ).all()
        found = [_summary(r, now=now) for r in rows]
    with services.db.write() as db:
        _audit(services, db, staff_email=staff.email, action="search", detail=text)
    return found


def get_account(
    services: Services, *, staff: StaffIdentity, account_id: str
) -> tuple[AccountSummary, StorageSummary]:
    """Show one account and what it stores for its devices (audited).

    Raises:
        AccountMissingError: No such account.
    """
    now = services.clock.now()
    with services.db.read() as db:
        summary = _summary(_account(db, account_id), now=now)
        devices = db.scalar(select(func.count()).where(Device.account_id == account_id))
        records = usage(db, account_id, now=now)
    with services.db.write() as db:
        _audit(services, db, staff_email=staff.email, action="view_account", account_id=account_id)
    storage = StorageSummary(
        devices=devices or 0, records=records.records, record_bytes=records.bytes
    )
    return summary, storage


def set_complimentary(
    services: Services, *, staff: StaffIdentity, account_id: str, granted: bool
) -> None:
    """Grant or revoke complimentary access (audited).

    Raises:
        AccountMissingError: No such account.
    """
    with services.db.write() as db:
        _account(db, account_id).complimentary = granted
        _audit(
            services,
            db,
            staff_email=staff.email,
            action="grant_complimentary" if granted else "revoke_complimentary",
            account_id=account_id,
        )


def cancel_subscription(services: Services, *, staff: StaffIdentity, account_id: str) -> None:
    """Cancel an account's subscription in Stripe now and record the new state (audited).

    Raises:
        BillingUnavailableError: Stripe is not configured.
        BillingError: Stripe refused or could not be reached.
        AccountMissingError: No such account.
    """
    billing = require_billing(services)
    with services.db.read() as db:
        subscription_id = _account(db, account_id).stripe_subscription_id
    state = None
    if subscription_id:
        billing.cancel_subscription(subscription_id=subscription_id)
        state = billing.read_subscription(subscription_id)
    with services.db.write() as db:
        account = _account(db, account_id)
        if subscription_id:
            apply_state(account, state=state)
        _audit(
            services,
            db,
            staff_email=staff.email,
            action="cancel_subscription",
            account_id=account_id,
        )


FORGOTTEN = "(a deleted account)"
"""What the audit log says instead of a deleted account's address."""


def forget_in_audit_log(db: Session, *, email: str) -> None:
    """Scrub *email*, whose account is being deleted, from the audit log (caller's transaction).

    Searches that name the address (or its whole local part) and failed staff sign-ins typed
    with it keep their time and action, not the address.
    """
    local = email.split("@", 1)[0]
    searches = db.execute(
        select(AuditEntry.id, AuditEntry.detail).where(AuditEntry.action == "search")
    ).all()
    named = [
        row.id
        for row in searches
        if email in row.detail or (row.detail in email and local in row.detail)
    ]
    if named:
        db.execute(update(AuditEntry).where(AuditEntry.id.in_(named)).values(detail=FORGOTTEN))
    db.execute(
        update(AuditEntry).where(AuditEntry.staff_email == email).values(staff_email=FORGOTTEN)
    )


def audit_log(services: Services, *, limit: int = 200) -> list[AuditView]:
    """Return the latest audit entries, newest first."""
    with services.db.read() as db:
        rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all()
        return [
            AuditView(
                at=as_utc(r.at),
                staff_email=r.staff_email,
                action=r.action,
                account_id=r.account_id,
                detail=r.detail,
            )
            for r in rows
        ]
