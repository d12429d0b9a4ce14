"""The Resend sender against a fake Resend on loopback."""

from __future__ import annotations

import pytest

from sessionclock_service.integrations.email import EmailError, EmailMessage, ResendEmailSender
from tests.support.fake_resend import FakeResend


def test_sender_reports_refusals(fake_resend: FakeResend) -> None:
    sender = ResendEmailSender(
        api_key="bad", base_url=fake_resend.server.base_url, sender="s@x.org"
    )
    try:
        with pytest.raises(EmailError, match="HTTP 401"):
            sender.send(
                EmailMessage(to="a@b.org", subject="s", text="t", html="h"), idempotency_key="k"
            )
    finally:
        sender.close()
