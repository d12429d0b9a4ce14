"""The app's account client against the real service on loopback (SQLite and PostgreSQL).

Each test acts as the app does, through ``AccountApi``: codes come from the fake Resend's
mailbox, subscriptions from the fake Stripe and a signed webhook, exactly as in production.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sessionclock.core.account.client import AccountApi, make_service_client
from sessionclock.core.account.models import EntitlementSource, EntitlementState, IssuedToken
from sessionclock.core.clock import SystemClock
from sessionclock.core.errors import (
    AccountError,
    BillingUnavailableError,
    CodeRefusedError,
    NotFoundError,
    PasswordRulesError,
    RateLimitedError,
    ServiceFailedError,
    ServiceUnreachableError,
    SignedOutError,
    SignInFailedError,
    WrongPasswordError,
)
from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe
from tests.support.live_service import (
    LOGIN_MAX_FAILURES,
    RunningService,
    complete_checkout,
    new_database,
    run_service,
    service_environment,
)
from tests.support.service import PASSWORD, free_port, mailed_code, new_email

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def api(service: RunningService) -> Iterator[AccountApi]:
    """The app's client of the running service."""
    with make_service_client(service.base_url) as client:
        yield AccountApi(client)


def signed_up(api: AccountApi, mailbox: FakeResend, email: str | None = None) -> str:
    """Sign up a new address and confirm it with the mailed code, as the app does."""
    email = email or new_email()
    api.sign_up(email=email, password=PASSWORD)
    api.confirm_sign_up(email=email, code=mailed_code(mailbox, email))
    return email


def sign_in(api: AccountApi, email: str, device: str = "Front desk") -> IssuedToken:
    return api.sign_in(email=email, password=PASSWORD, device_name=device)


def test_sign_up_is_confirmed_by_the_mailed_code_then_signs_in(
    api: AccountApi, resend: FakeResend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    email = new_email()
    api.sign_up(email=email, password=PASSWORD)
    with pytest.raises(SignInFailedError, match="not confirmed yet"):
        sign_in(api, email)
    code = mailed_code(resend, email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(CodeRefusedError, match="not right"):
        api.confirm_sign_up(email=email, code=wrong)
    api.confirm_sign_up(email=email, code=code)
    with pytest.raises(CodeRefusedError):
        api.confirm_sign_up(email=email, code=code)  # used once only
    issued = sign_in(api, email, device="Front-Desk-PC")

    view = api.account(token=issued.token)
    assert view.email == email
    assert [(d.name, d.current) for d in view.devices] == [("Front-Desk-PC", True)]
    trial = api.entitlement(token=issued.token)
    assert (trial.state, trial.entitled, trial.source) == (
        EntitlementState.TRIAL,
        True,
        EntitlementSource.TRIAL,
    )
    assert trial.ends_at is not None
    assert timedelta(days=13) < trial.ends_at - trial.checked_at <= timedelta(days=14)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (issued.token, PASSWORD, code, email):
        assert secret not in logged


def test_sign_up_and_sign_in_do_not_tell_who_has_an_account(
    api: AccountApi, resend: FakeResend
) -> None:
    email = signed_up(api, resend)
    api.sign_up(email=email, password="another password entirely")  # same answer: no error
    with pytest.raises(SignInFailedError) as unknown:
        api.sign_in(email=new_email(), password=PASSWORD, device_name="PC")
    with pytest.raises(SignInFailedError) as wrong:
        api.sign_in(email=email, password="not the password", device_name="PC")
    assert str(unknown.value) == str(wrong.value)


def test_devices_are_listed_and_one_can_be_signed_out(api: AccountApi, resend: FakeResend) -> None:
    email = signed_up(api, resend)
    desk, tablet = sign_in(api, email, "Front desk"), sign_in(api, email, "Room tablet")
    devices = api.devices(token=desk.token)
    assert sorted((d.name, d.current) for d in devices) == [
        ("Front desk", True),
        ("Room tablet", False),
    ]
    api.sign_out_device(token=desk.token, device_id=tablet.id)
    with pytest.raises(SignedOutError, match="Sign in again"):
        api.entitlement(token=tablet.token)
    with pytest.raises(NotFoundError, match="already signed out"):
        api.sign_out_device(token=desk.token, device_id=tablet.id)
    api.sign_out(token=desk.token)
    with pytest.raises(SignedOutError):
        api.devices(token=desk.token)
    api.sign_out(token=desk.token)  # signing out a dead token is not an error


def test_an_expired_token_is_refused(
    api: AccountApi, resend: FakeResend, service: RunningService
) -> None:
    email = signed_up(api, resend)
    issued = sign_in(api, email)
    api.entitlement(token=issued.token)
    engine = create_engine(service.database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE api_tokens SET last_used_at = :then WHERE id = :id"),
            {"then": SystemClock(UTC).now() - timedelta(days=91), "id": issued.id},
        )
    engine.dispose()
    with pytest.raises(SignedOutError):
        api.entitlement(token=issued.token)


def test_a_password_reset_signs_every_device_out(api: AccountApi, resend: FakeResend) -> None:
    email = signed_up(api, resend)
    desk, tablet = sign_in(api, email), sign_in(api, email, "Room tablet")
    api.request_password_reset(email=email)
    code = mailed_code(resend, email, kind="reset")
    with pytest.raises(PasswordRulesError, match="10"):
        api.confirm_password_reset(email=email, code=code, new_password="short")
    api.confirm_password_reset(email=email, code=code, new_password=NEW_PASSWORD)
    for token in (desk.token, tablet.token):
        with pytest.raises(SignedOutError):
            api.entitlement(token=token)
    with pytest.raises(SignInFailedError):
        sign_in(api, email)
    again = api.sign_in(email=email, password=NEW_PASSWORD, device_name="Front desk")
    assert api.entitlement(token=again.token).entitled
    with pytest.raises(CodeRefusedError):
        api.confirm_password_reset(email=email, code=code, new_password=NEW_PASSWORD)


def test_changing_the_password_signs_the_other_devices_out(
    api: AccountApi, resend: FakeResend
) -> None:
    email = signed_up(api, resend)
    desk, tablet = sign_in(api, email), sign_in(api, email, "Room tablet")
    with pytest.raises(WrongPasswordError):
        api.change_password(token=desk.token, current_password="wrong", new_password=NEW_PASSWORD)
    api.change_password(token=desk.token, current_password=PASSWORD, new_password=NEW_PASSWORD)
    assert api.entitlement(token=desk.token).entitled
    with pytest.raises(SignedOutError):
        api.entitlement(token=tablet.token)


def test_too_many_wrong_passwords_make_the_next_try_wait(
    api: AccountApi, resend: FakeResend
) -> None:
    email = signed_up(api, resend)
    for _ in range(LOGIN_MAX_FAILURES):
        with pytest.raises(SignInFailedError):
            api.sign_in(email=email, password="guess", device_name="PC")
    with pytest.raises(RateLimitedError, match=r"Wait \d+ seconds and try again") as limited:
        sign_in(api, email)
    # The first wait beyond the allowance is 30 s; a right password does not skip it.
    assert 20 <= limited.value.retry_after <= 30


def test_the_entitlement_changes_after_stripes_webhook(
    api: AccountApi, resend: FakeResend, stripe: FakeStripe, service: RunningService
) -> None:
    email = signed_up(api, resend)
    token = sign_in(api, email).token
    with pytest.raises(AccountError, match="no subscription to manage"):
        api.portal_url(token=token)
    url = api.checkout_url(token=token)
    assert url.startswith("https://checkout.stripe.test/")
    assert api.entitlement(token=token).state is EntitlementState.TRIAL

    period_end = (SystemClock(UTC).now() + timedelta(days=30)).replace(microsecond=0)
    complete_checkout(service, stripe, email=email, period_end=period_end)

    paid = api.entitlement(token=token)
    assert (paid.state, paid.source, paid.ends_at) == (
        EntitlementState.ACTIVE,
        EntitlementSource.SUBSCRIPTION,
        period_end,
    )
    assert api.portal_url(token=token).startswith("https://billing.stripe.test/")
    with pytest.raises(AccountError, match="already has a subscription"):
        api.checkout_url(token=token)


def test_a_server_error_is_a_clear_failure_and_changes_nothing(
    api: AccountApi, resend: FakeResend, stripe: FakeStripe
) -> None:
    email = signed_up(api, resend)
    token = sign_in(api, email).token
    api.checkout_url(token=token)  # a Stripe customer now exists, so deletion must reach Stripe
    stripe.fail_with = 500
    try:
        with pytest.raises(ServiceFailedError, match=r"problem right now \(error 502\)"):
            api.checkout_url(token=token)
        with pytest.raises(ServiceFailedError, match="Nothing was changed"):
            api.delete_account(token=token, password=PASSWORD)
    finally:
        stripe.fail_with = None
    assert api.entitlement(token=token).entitled, "the account is still there"


def test_deleting_the_account_needs_the_password_and_ends_every_sign_in(
    api: AccountApi, resend: FakeResend
) -> None:
    email = signed_up(api, resend)
    token = sign_in(api, email).token
    with pytest.raises(WrongPasswordError):
        api.delete_account(token=token, password="not it")
    api.delete_account(token=token, password=PASSWORD)
    with pytest.raises(SignedOutError):
        api.entitlement(token=token)
    with pytest.raises(SignInFailedError):
        sign_in(api, email)


def test_a_service_without_billing_and_then_no_service_at_all(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    resend: FakeResend,
    stripe: FakeStripe,
) -> None:
    env = service_environment(
        new_database(request, "sqlite", tmp_path, "down"),
        resend,
        stripe,
        STRIPE_API_KEY="",
        STRIPE_WEBHOOK_SECRET="",
        STRIPE_PRICE_ID="",
    )
    running = run_service(env)
    try:
        with make_service_client(running.base_url) as client:
            api = AccountApi(client)
            token = sign_in(api, signed_up(api, resend)).token
            with pytest.raises(BillingUnavailableError, match="Payments cannot be taken"):
                api.checkout_url(token=token)
            running.stop()
            with pytest.raises(ServiceUnreachableError, match="could not be reached"):
                api.entitlement(token=token)
    finally:
        running.stop()
    with (
        make_service_client(f"http://127.0.0.1:{free_port()}") as client,
        pytest.raises(ServiceUnreachableError),
    ):
        AccountApi(client).sign_up(email=new_email(), password=PASSWORD)
