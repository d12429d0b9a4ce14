"""One-time codes mailed to confirm an address or reset a password: what they share.

A code is six digits, stored only as a keyed hash (`security.CodeHasher`), used once, and dead
after `MAX_CODE_ATTEMPTS` wrong tries. Each wrong code also counts against the client address,
so one address cannot spread guesses over many pending codes. A wrong code, an expired one and an
unknown address get one and the same answer.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus

from sqlalchemy.orm import Session

from sessionclock_service.errors import ServiceError
from sessionclock_service.usecases.services import Services

MAX_CODE_ATTEMPTS = 5
"""Wrong tries after which a code is dead (a new one must be asked for)."""


class CodeRefusedError(ServiceError):
    """Raised for a wrong, used, dead or expired code and for an unknown address alike."""

    status = HTTPStatus.BAD_REQUEST
    message = "This code is not valid or has expired."


def check_code_allowance(services: Services, db: Session, *, address: str, now: datetime) -> str:
    """Lock and check the wrong-code allowance of *address*; return the key to count under.

    Raises:
        RateLimitedError: This client address tried too many wrong codes lately.
    """
    return services.limiter.check_codes(db, address=address, now=now).key


def record_wrong_code(services: Services, db: Session, *, key: str, now: datetime) -> None:
    """Count one wrong code under *key* (from `check_code_allowance`), in the caller's
    transaction."""
    services.limiter.record(db, [key], now=now)
