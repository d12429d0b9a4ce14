"""The e-mail outbox, through a fake Resend on loopback: what is sent, failures, retries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from sessionclock_service.db.models import OutboxEmail
from sessionclock_service.integrations.email import EmailMessage
from sessionclock_service.usecases.outbox import MAX_ATTEMPTS, Outbox
from tests.support.fake_resend import FakeResend
from tests.support.service import Customer, MutableClock, mailed_code, services_of


def _outbox_rows(url: str) -> list[OutboxEmail]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(select(OutboxEmail)).all())
    engine.dispose()
    return rows  # type: ignore[return-value]


def test_reset_message_as_sent(
    client: TestClient, customer: Customer, fake_resend: FakeResend
) -> None:
    client.post("/v1/password-resets", json={"email": customer.email})
    assert len(fake_resend.sent) == 1
    sent = fake_resend.sent[0]
    assert sent.headers["authorization"] == "Bearer re_test_fake"
    assert sent.headers["idempotency-key"].startswith("outbox-")
    assert sent.payload["from"] == "Session Clock <accounts@sessionclock.invalid>"
    assert sent.payload["to"] == [customer.email]
    assert set(sent.payload) == {"from", "to", "subject", "text", "html"}
    code = mailed_code(fake_resend, customer.email, kind="reset")
    assert code in sent.payload["text"] and code in sent.payload["html"]
    assert "30 minutes" in sent.payload["text"]


@pytest.mark.allow_warning_logs
def test_send_failure_keeps_the_action_and_retries(
    client: TestClient,
    customer: Customer,
    fake_resend: FakeResend,
    clock: MutableClock,
    clean_database: str,
) -> None:
    fake_resend.fail_next = 2
    r = client.post("/v1/password-resets", json={"email": customer.email})
    assert r.status_code == 202  # the action stands even though the send failed
    assert fake_resend.sent == [] and fake_resend.attempts == 1
    rows = _outbox_rows(clean_database)
    assert len(rows) == 1 and rows[0].attempts == 1 and rows[0].last_error == "HTTP 500"
    sealed = rows[0].sealed

    services = services_of(client)
    assert services.outbox.deliver_due() == 0  # not due yet: back-off
    clock.advance(timedelta(seconds=31))
    assert services.outbox.deliver_due() == 0  # second failure
    clock.advance(timedelta(seconds=61))
    assert services.outbox.deliver_due() == 1
    assert len(fake_resend.sent) == 1 and fake_resend.attempts == 3
    # Every attempt used the same idempotency key, so Resend cannot send it twice.
    assert _outbox_rows(clean_database) == []
    # The queued message was encrypted: neither the reset code nor the address was readable.
    assert mailed_code(fake_resend, customer.email, kind="reset").encode() not in sealed
    assert customer.email.encode() not in sealed


@pytest.mark.allow_warning_logs
def test_gives_up_after_max_attempts(
    client: TestClient,
    customer: Customer,
    fake_resend: FakeResend,
    clock: MutableClock,
    clean_database: str,
) -> None:
    fake_resend.fail_next = 100
    client.post("/v1/password-resets", json={"email": customer.email})
    services = services_of(client)
    for _ in range(MAX_ATTEMPTS + 2):
        clock.advance(timedelta(days=1))
        services.outbox.deliver_due()
    assert fake_resend.attempts == MAX_ATTEMPTS
    rows = _outbox_rows(clean_database)
    assert len(rows) == 1 and rows[0].failed


def test_a_claimed_message_is_not_sent_twice(
    client: TestClient, fake_resend: FakeResend, clock: MutableClock
) -> None:
    services = services_of(client)
    with services.db.write() as db:
        services.outbox.enqueue(
            db,
            kind="test",
            message=EmailMessage(to="a@example.org", subject="s", text="t", html="h"),
        )
    second_worker = Outbox(
        db=services.db,
        secret_key=services.settings.secret_key,
        sender=services.outbox.sender,
        clock=clock,
    )
    seen_by_second: list[int] = []

    class InterleavingSender:
        """While the first worker is sending, the second worker runs its delivery round."""

        def send(self, message: EmailMessage, *, idempotency_key: str) -> None:
            seen_by_second.append(second_worker.deliver_due())
            services.outbox.sender.send(message, idempotency_key=idempotency_key)

        def close(self) -> None:
            """Nothing to release."""

    first_worker = Outbox(
        db=services.db,
        secret_key=services.settings.secret_key,
        sender=InterleavingSender(),
        clock=clock,
    )
    assert first_worker.deliver_due() == 1
    assert seen_by_second == [0]  # the claimed row was not due for the second worker
    assert len(fake_resend.sent) == 1


@pytest.mark.allow_warning_logs
def test_unreachable_provider_is_a_retryable_failure(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clean_database: str
) -> None:
    client = make_client(resend_base_url="http://127.0.0.1:9")  # discard port: refused
    client.post("/v1/accounts", json={"email": "x@example.org", "password": "a long password"})
    rows = _outbox_rows(clean_database)
    assert len(rows) == 1 and rows[0].attempts == 1 and rows[0].last_error == "ConnectError"


@pytest.mark.allow_warning_logs
def test_without_a_resend_key_messages_wait(
    make_client: Callable[..., TestClient], fake_resend: FakeResend, clean_database: str
) -> None:
    client = make_client(resend_api_key="")
    r = client.post("/v1/accounts", json={"email": "y@example.org", "password": "a long password"})
    assert r.status_code == 202
    assert fake_resend.attempts == 0
    assert len(_outbox_rows(clean_database)) == 1


def test_outbox_count_is_zero_after_success(
    client: TestClient, customer: Customer, clean_database: str
) -> None:
    client.post("/v1/password-resets", json={"email": customer.email})
    engine = create_engine(clean_database)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    engine.dispose()
