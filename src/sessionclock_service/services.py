"""The objects a running service is built from, assembled once by the app factory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sessionclock_service.billing import StripeBilling
from sessionclock_service.clock import Clock
from sessionclock_service.email import Outbox
from sessionclock_service.ratelimit import LoginLimiter
from sessionclock_service.security import PasswordHasher
from sessionclock_service.settings import Settings


@dataclass(frozen=True, kw_only=True)
class Services:
    """Everything a request handler may need, held by the app (never a module global).

    Attributes:
        settings: The validated settings.
        clock: The only source of the current time.
        engine: The database engine.
        sessions: Factory of database sessions.
        readers: Factory of sessions that only read (never queue for SQLite's write lock).
        hasher: Password hashing with the pepper and the bcrypt cost.
        limiter: Sign-in rate limiting.
        outbox: E-mail queue and delivery.
        billing: Stripe, or ``None`` when no key is configured.
    """

    settings: Settings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    readers: sessionmaker[Session]
    hasher: PasswordHasher
    limiter: LoginLimiter
    outbox: Outbox
    billing: StripeBilling | None

    @property
    def token_inactivity(self) -> timedelta:
        """How long an unused API token keeps working."""
        return timedelta(days=self.settings.token_inactivity_days)
