"""Running the service: readiness, and the housekeeping every worker does between requests."""

from __future__ import annotations

from http import HTTPStatus

from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from sessionclock_service.db.migrate import schema_is_current
from sessionclock_service.db.models import (
    DeletionGrant,
    Pairing,
    PasswordReset,
    Signup,
    StaffSession,
)
from sessionclock_service.errors import ServiceError
from sessionclock_service.usecases.services import Services
from sessionclock_service.usecases.sync import purge_expired


class NotReadyError(ServiceError):
    """Raised when the database cannot be reached, or is not at this release's schema."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    message = "The database cannot be reached."


def check_ready(services: Services) -> None:
    """Check that the database answers and has this release's schema (a readiness probe).

    Raises:
        NotReadyError: It does not answer, or it needs migrating.
    """
    try:
        current = schema_is_current(services.db)
    except SQLAlchemyError:
        raise NotReadyError from None
    if not current:
        raise NotReadyError("The database's schema is not this release's: migrate it.")


def tidy(services: Services) -> None:
    """Send the mail that is due and drop what has expired: sign-ups never confirmed (and with
    them their addresses), dead reset codes, staff sessions, events no limit counts any more,
    pairings, deletion grants, and synced records past their expiry (tombstones)."""
    services.outbox.deliver_due()
    now = services.clock.now()
    with services.db.write() as db:
        db.execute(delete(Signup).where(Signup.expires_at <= now))
        db.execute(delete(PasswordReset).where(PasswordReset.expires_at <= now))
        db.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
        db.execute(delete(Pairing).where(Pairing.expires_at <= now))
        db.execute(delete(DeletionGrant).where(DeletionGrant.expires_at <= now))
        purge_expired(db, now=now)
        services.limiter.purge(db, now=now)
