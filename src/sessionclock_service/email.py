"""Transactional e-mail: the messages, an outbox that never loses them, and Resend delivery.

An action that sends mail (a reset, a deletion, a payment failure) writes its message into the
outbox in its own transaction; delivery happens afterwards and is retried with back-off, so a
failure to send never loses the action nor the message. No message contains client data.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from sessionclock_service.clock import Clock
from sessionclock_service.db import rowcount
from sessionclock_service.models import OutboxEmail
from sessionclock_service.security import new_id

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
CLAIM_LEASE = timedelta(minutes=2)


class EmailError(Exception):
    """Raised by a sender when a message could not be handed over."""


@dataclass(frozen=True, kw_only=True)
class EmailMessage:
    """One message, in plain text and HTML.

    Attributes:
        to: The single recipient.
        subject: The subject line.
        text: The plain-text body.
        html: The HTML body.
    """

    to: str
    subject: str
    text: str
    html: str


class EmailSender(Protocol):
    """Hands messages over to an e-mail provider."""

    def send(self, message: EmailMessage, *, idempotency_key: str) -> None:
        """Send *message*; raise `EmailError` when it was not accepted."""
        ...

    def close(self) -> None:
        """Release network resources."""
        ...


class ResendEmailSender:
    """Send through Resend's HTTP API (``POST /emails``) with httpx.

    The outbox id travels as ``Idempotency-Key``, so a retry after a lost answer does not send
    the message twice.
    """

    def __init__(self, *, api_key: str, base_url: str, sender: str, timeout: float = 10.0) -> None:
        self._sender = sender
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {api_key}"},
        )

    def send(self, message: EmailMessage, *, idempotency_key: str) -> None:
        """Send *message* through Resend."""
        payload = {
            "from": self._sender,
            "to": [message.to],
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
        }
        try:
            response = self._client.post(
                "/emails", json=payload, headers={"Idempotency-Key": idempotency_key}
            )
        except httpx.HTTPError as exc:
            raise EmailError(type(exc).__name__) from exc
        if response.status_code >= 300:
            raise EmailError(f"HTTP {response.status_code}")

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()


class UnconfiguredEmailSender:
    """Used when no Resend key is configured: every message stays queued in the outbox."""

    def send(self, message: EmailMessage, *, idempotency_key: str) -> None:
        """Refuse, so the message stays in the outbox until a key is configured."""
        raise EmailError("no e-mail provider configured")

    def close(self) -> None:
        """Nothing to release."""


class Outbox:
    """Queue messages in the database and deliver them with retries.

    Attributes:
        sender: Where messages go.
    """

    def __init__(self, *, secret_key: str, sender: EmailSender, clock: Clock) -> None:
        key = base64.urlsafe_b64encode(
            hashlib.sha256(b"sessionclock-outbox\x00" + secret_key.encode()).digest()
        )
        self._fernet = Fernet(key)
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

    def deliver_due(self, factory: sessionmaker[Session], *, limit: int = 50) -> int:
        """Try every message that is due; return how many were sent."""
        now = self._clock.now()
        with factory() as db:
            due = db.execute(
                select(OutboxEmail.id, OutboxEmail.next_attempt_at)
                .where(OutboxEmail.failed.is_(False), OutboxEmail.next_attempt_at <= now)
                .order_by(OutboxEmail.next_attempt_at)
                .limit(limit)
            ).all()
        sent = 0
        for outbox_id, planned in due:
            if self._deliver_one(factory, outbox_id=outbox_id, planned=planned, now=now):
                sent += 1
        return sent

    def _deliver_one(
        self, factory: sessionmaker[Session], *, outbox_id: str, planned: datetime, now: datetime
    ) -> bool:
        # Claim the row with one conditional UPDATE so two workers never send it together.
        with factory() as db, db.begin():
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
            with factory() as db, db.begin():
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
        with factory() as db, db.begin():
            db.execute(delete(OutboxEmail).where(OutboxEmail.id == outbox_id))
        return True


def _wrap_html(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>{body}"
        "<p>— Session Clock</p></body></html>"
    )


def _message(to: str, subject: str, paragraphs: list[str]) -> EmailMessage:
    text = "\n\n".join([*paragraphs, "— Session Clock"]) + "\n"
    return EmailMessage(to=to, subject=subject, text=text, html=_wrap_html(subject, paragraphs))


def password_reset_message(*, to: str, token: str, minutes: int) -> EmailMessage:
    """Build the password-reset message carrying the one-time *token*."""
    return _message(
        to,
        "Reset your Session Clock password",
        [
            "Someone asked to reset the password of your Session Clock account.",
            f"Your reset code is: {token}",
            f"Paste it into Session Clock within {minutes} minutes. It works once.",
            "If you did not ask for this, ignore this message; your password stays the same.",
        ],
    )


def subscription_confirmed_message(*, to: str, until: datetime | None) -> EmailMessage:
    """Build the message confirming a subscription."""
    when = f" It renews on {until:%Y-%m-%d}." if until is not None else ""
    return _message(
        to,
        "Your Session Clock subscription is active",
        [f"Thank you: your subscription is active.{when}"],
    )


def payment_failed_message(*, to: str) -> EmailMessage:
    """Build the message about a failed payment."""
    return _message(
        to,
        "Session Clock: a payment failed",
        [
            "We could not take the latest payment for your Session Clock subscription.",
            "Please update your payment method from Session Clock (Account, Manage subscription).",
        ],
    )


def account_deleted_message(*, to: str) -> EmailMessage:
    """Build the message confirming an account deletion."""
    return _message(
        to,
        "Your Session Clock account was deleted",
        [
            "Your Session Clock account and everything the service held about it were deleted.",
            "Any subscription was cancelled. Thank you for using Session Clock.",
        ],
    )
