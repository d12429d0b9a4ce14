"""The e-mail outbox: a message is queued with the action that causes it and never lost.

An action that sends mail (a reset, a deletion, a payment failure) writes its message into the
outbox in its own transaction; delivery happens afterwards and is retried with back-off, so a
failure to send never loses the action nor the message. Queued messages are encrypted with the
service's secret key, so a reset code waiting in the outbox is not readable from a database dump.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import asdict
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sessionclock_service.clock import Clock
from sessionclock_service.db.engine import Database, rowcount
from sessionclock_service.db.models import OutboxEmail
from sessionclock_service.integrations.email import EmailError, EmailMessage, EmailSender
from sessionclock_service.security import new_id

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_LEASE = timedelta(minutes=2)


class Outbox:
    """Queue messages in the database and deliver them with retries.

    Attributes:
        sender: Where messages go.
    """

    def __init__(self, *, db: Database, secret_key: str, sender: EmailSender, clock: Clock) -> None:
        key = base64.urlsafe_b64encode(
            hashlib.sha256(b"sessionclock-outbox\x00" + secret_key.encode()).digest()
        )
        self._fernet = Fernet(key)
        self._db = db
        self.sender = sender
        self._clock = clock

    def enqueue(self, db: Session, *, kind: str, message: EmailMessage) -> None:
        """Add *message* to the outbox inside the caller's transaction."""
        now = self._clock.now()
        sealed = self._fernet.encrypt(json.dumps(asdict(message)).encode())
        db.add(
            OutboxEmail(
                id=new_id(),
                kind=kind,
                sealed=sealed,
                created_at=now,
                next_attempt_at=now,
                attempts=0,
                failed=False,
            )
        )

    def deliver_due(self, *, limit: int = 50) -> int:
        """Try every message that is due; return how many were sent."""
        now = self._clock.now()
        with self._db.read() as db:
            due = db.execute(
                select(OutboxEmail.id, OutboxEmail.next_attempt_at)
                .where(OutboxEmail.failed.is_(False), OutboxEmail.next_attempt_at <= now)
                .order_by(OutboxEmail.next_attempt_at)
                .limit(limit)
            ).all()
        sent = 0
        for outbox_id, planned in due:
            if self._deliver_one(outbox_id=outbox_id, planned=planned, now=now):
                sent += 1
        return sent

    def _deliver_one(self, *, outbox_id: str, planned: datetime, now: datetime) -> bool:
        # Claim the row with one conditional UPDATE so two workers never send it together.
        with self._db.write() as db:
            claimed = rowcount(
                db.execute(
                    update(OutboxEmail)
                    .where(OutboxEmail.id == outbox_id, OutboxEmail.next_attempt_at == planned)
                    .values(next_attempt_at=now + CLAIM_LEASE)
                )
            )
            row = db.get(OutboxEmail, outbox_id) if claimed == 1 else None
            if row is None:
                return False
            sealed, attempts = row.sealed, row.attempts
        try:
            message = EmailMessage(**json.loads(self._fernet.decrypt(sealed)))
            self.sender.send(message, idempotency_key=f"outbox-{outbox_id}")
        except (EmailError, InvalidToken) as exc:
            attempts += 1
            error = str(exc)[:200] or type(exc).__name__
            logger.warning("E-mail %s not sent (attempt %d): %s", outbox_id, attempts, error)
            with self._db.write() as db:
                db.execute(
                    update(OutboxEmail)
                    .where(OutboxEmail.id == outbox_id)
                    .values(
                        attempts=attempts,
                        failed=attempts >= MAX_ATTEMPTS,
                        last_error=error,
                        next_attempt_at=now + timedelta(seconds=30 * 2 ** (attempts - 1)),
                    )
                )
            return False
        # Sent: the row (and with it the recipient's address) goes.
        with self._db.write() as db:
            db.execute(delete(OutboxEmail).where(OutboxEmail.id == outbox_id))
        return True
