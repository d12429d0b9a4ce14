"""Sign-in rate limiting with its state in the database, so it holds across workers."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sessionclock_service.db.models import LoginFailure


class LoginLimiter:
    """Count failed sign-ins per key (an e-mail's hash, a client address's hash) in a window.

    Keys are hashes of the e-mail address, not account ids, so an unknown address is limited
    exactly like a registered one and the limit reveals nothing.
    """

    def __init__(self, *, max_failures: int, max_address_failures: int, window: timedelta) -> None:
        self._max = max_failures
        self._max_address = max_address_failures
        self._window = window

    def blocked(self, db: Session, *, keys: list[str], now: datetime) -> bool:
        """Return whether any of *keys* has used up its failures in the window.

        Address keys (``addr:``) get a larger allowance: a clinic's computers share one.
        """
        since = now - self._window
        for key in keys:
            limit = self._max_address if "addr:" in key else self._max
            count = db.scalar(
                select(func.count())
                .select_from(LoginFailure)
                .where(LoginFailure.key == key, LoginFailure.at > since)
            )
            if (count or 0) >= limit:
                return True
        return False

    def record_failure(self, db: Session, *, keys: list[str], now: datetime) -> None:
        """Count one failure against each of *keys*, and drop failures older than the window."""
        db.execute(delete(LoginFailure).where(LoginFailure.at <= now - self._window))
        for key in keys:
            db.add(LoginFailure(key=key, at=now))

    def clear(self, db: Session, *, key: str) -> None:
        """Forget the failures of *key* (after a successful sign-in of that account)."""
        db.execute(delete(LoginFailure).where(LoginFailure.key == key))
