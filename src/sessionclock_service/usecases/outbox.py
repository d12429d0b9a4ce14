"""The e-mail outbox: a message is queued with the action that causes it and never lost.

An action that sends mail (a reset, a deletion, a payment failure) writes its message into the
outbox in its own transaction; delivery happens afterwards and is retried with back-off, so a
failure to send never loses the action nor the message. Queued messages are encrypted with the
service's secret key, so a reset code waiting in the outbox is not readable from a database dump.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from dataclasses import asdict
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from sessionclock_service.clock import Clock
from sessionclock_service.db.engine import Database
from sessionclock_service.db.models import OutboxEmail
from sessionclock_service.integrations.email import EmailError, EmailMessage, EmailSender
from sessionclock_service.security import new_id

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_LEASE = timedelta(minutes=2)

FORGET_WHEN_UNSENDABLE = frozenset({"account_deleted"})
"""Kinds of message dropped, not kept as failed, once delivery is given up: the deletion
notice's address must not outlive the account."""


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
        self._recipients = hmac.new(
            secret_key.encode(), b"sessionclock outbox recipients", hashlib.sha256
        ).digest()
        self._db = db
        self.sender = sender
        self._clock = clock

    def _recipient_key(self, address: str) -> str:
        return hmac.new(self._recipients, address.encode(), hashlib.sha256).hexdigest()

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
                recipient_key=self._recipient_key(message.to),
            )
        )

    def forget(self, db: Session, *, email: str) -> None:
        """Drop every message still queued for *email* (its account is being deleted)."""
        db.execute(
            delete(OutboxEmail).where(OutboxEmail.recipient_key == self._recipient_key(email))
        )

    def deliver_due(self, *, limit: int = 50) -> int:
        """Claim the messages that are due and send them; return how many were sent.

        Safe in every worker of every host: rows are claimed with ``FOR UPDATE SKIP LOCKED`` on
        PostgreSQL (SQLite's write lock serialises the claims), and a claim moves the row's next
        attempt a lease ahead, so no other worker takes it while it is being sent.
        """
        now = self._clock.now()
        due_now = (OutboxEmail.failed.is_(False), OutboxEmail.next_attempt_at <= now)
        with self._db.read() as db:
            # Most rounds find nothing: look before taking SQLite's write lock.
            if db.scalar(select(OutboxEmail.id).where(*due_now).limit(1)) is None:
                return 0
        with self._db.write() as db:
            due = db.scalars(
                select(OutboxEmail)
                .where(*due_now)
                .order_by(OutboxEmail.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            claimed = [(row.id, row.kind, row.sealed, row.attempts) for row in due]
            for row in due:
                row.next_attempt_at = now + CLAIM_LEASE
        sent = 0
        for outbox_id, kind, sealed, attempts in claimed:
            if self._deliver_one(
                outbox_id=outbox_id, kind=kind, sealed=sealed, attempts=attempts, now=now
            ):
                sent += 1
        return sent

    def _deliver_one(
        self, *, outbox_id: str, kind: str, sealed: bytes, attempts: int, now: datetime
    ) -> bool:
        try:
            message = EmailMessage(**json.loads(self._fernet.decrypt(sealed)))
            self.sender.send(message, idempotency_key=f"outbox-{outbox_id}")
        except (EmailError, InvalidToken) as exc:
            attempts += 1
            error = str(exc)[:200] or type(exc).__name__
            logger.warning("E-mail %s not sent (attempt %d): %s", outbox_id, attempts, error)
            with self._db.write() as db:
                if attempts >= MAX_ATTEMPTS and kind in FORGET_WHEN_UNSENDABLE:
                    db.execute(delete(OutboxEmail).where(OutboxEmail.id == outbox_id))
                    return False
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
