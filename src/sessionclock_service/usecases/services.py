"""What the use cases run on, assembled once by the app factory and passed to each of them."""

from __future__ import annotations

from dataclasses import dataclass

from sessionclock_service.clock import Clock
from sessionclock_service.db.engine import Database
from sessionclock_service.integrations.stripe import StripeBilling
from sessionclock_service.security import CodeHasher
from sessionclock_service.settings import Settings
from sessionclock_service.usecases.outbox import Outbox
from sessionclock_service.usecases.passwords import Passwords
from sessionclock_service.usecases.ratelimit import Limiter


@dataclass(frozen=True, kw_only=True)
class Services:
    """Everything a use case may need, held by the app (never a module global).

    Attributes:
        settings: The validated settings.
        clock: The only source of the current time.
        db: The database, through its read and write transactions.
        passwords: Password hashing with the pepper and the bcrypt cost, on its own threads.
        codes: Keyed hashing of the one-time codes mailed to confirm and to reset.
        limiter: Limits on attempts, password hashes and mail.
        outbox: E-mail queue and delivery.
        billing: Stripe, or ``None`` when no key is configured.
    """

    settings: Settings
    clock: Clock
    db: Database
    passwords: Passwords
    codes: CodeHasher
    limiter: Limiter
    outbox: Outbox
    billing: StripeBilling | None
