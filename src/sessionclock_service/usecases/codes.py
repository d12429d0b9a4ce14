"""One-time codes mailed to confirm an address or reset a password: what they share.

A code is six digits, stored only as a keyed hash (`security.CodeHasher`), used once, and dead
after `MAX_CODE_ATTEMPTS` wrong tries. Each wrong code also counts against the client address,
so one address cannot spread guesses over many pending codes. A wrong code, an expired one and an
unknown address get one and the same answer.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from types import MappingProxyType

from sqlalchemy.orm import Session

from sessionclock_service.errors import ServiceError
from sessionclock_service.security import address_key
from sessionclock_service.usecases.services import Services

MAX_CODE_ATTEMPTS = 5
"""Wrong tries after which a code is dead (a new one must be asked for)."""


class CodeRefusedError(ServiceError):
    """Raised for a wrong, used, dead or expired code and for an unknown address alike."""

    status = HTTPStatus.BAD_REQUEST
    message = "This code is not valid or has expired."


class TooManyCodesError(ServiceError):
    """Raised when this client address tried too many wrong codes lately."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    message = "Too many wrong codes. Try again later."
    headers = MappingProxyType({"Retry-After": "900"})


def _keys(address: str) -> list[str]:
    return ["code-" + address_key(address)]


def codes_blocked(services: Services, db: Session, *, address: str, now: datetime) -> bool:
    """Return whether *address* has used up its wrong codes in the window."""
    return services.limiter.blocked(db, keys=_keys(address), now=now)


def record_wrong_code(services: Services, db: Session, *, address: str, now: datetime) -> None:
    """Count one wrong code against *address* in the caller's transaction."""
    services.limiter.record_failure(db, keys=_keys(address), now=now)
