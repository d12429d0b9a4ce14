"""E-mail delivery: Resend's HTTP API through httpx, behind the `EmailSender` protocol.

An adapter only: it hands one message over and says whether the provider took it. Queueing,
retries and what each message says are the use cases' business (`usecases.outbox`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx


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
