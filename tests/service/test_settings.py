"""Settings from the environment, and the refusal to run production on placeholders."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from sessionclock_service.security import PasswordHasher
from sessionclock_service.settings import (
    DEFAULT_DATABASE_URL,
    ENV_PREFIX,
    Settings,
    SettingsError,
    env_name,
    get_settings,
)
from tests.support.service import settings_from

STRONG = "x7Qp2Lm9Rt4Vw8Yz1Bn5Cd3Fg6Hj0Kk2Mm4Nn6Pp8"

Environ = Callable[[dict[str, str]], None]


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> Environ:
    """Return a setter of the environment: exactly these service variables, no others."""

    def use(values: dict[str, str]) -> None:
        for name in list(os.environ):
            if name.startswith(("SESSIONCLOCK_", "STRIPE_", "RESEND_")):
                monkeypatch.delenv(name)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return use


@pytest.mark.allow_warning_logs
def test_runs_with_nothing_configured(environ: Environ) -> None:
    environ({})
    settings = get_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.bcrypt_rounds == 12  # the real cost by default
    assert not settings.billing_enabled


def test_reads_the_environment(environ: Environ) -> None:
    environ(
        {
            "SESSIONCLOCK_DATABASE_URL": "postgresql+psycopg://u@h/db",
            "SESSIONCLOCK_SECRET_KEY": STRONG,
            "SESSIONCLOCK_PASSWORD_PEPPER": STRONG[::-1],
            "SESSIONCLOCK_BCRYPT_ROUNDS": "13",
            "STRIPE_API_KEY": "sk_live_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_" + STRONG,
            "STRIPE_PRICE_ID": "price_1",
            "RESEND_BASE_URL": "http://127.0.0.1:1",
        }
    )
    settings = get_settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.bcrypt_rounds == 13
    assert settings.billing_enabled
    assert settings.resend_base_url == "http://127.0.0.1:1"


def test_each_setting_has_one_variable(environ: Environ) -> None:
    # The provider's own names, and nothing under the service's prefix for them.
    environ(
        {
            "SESSIONCLOCK_STRIPE_API_KEY": "sk_test_elsewhere",
            "SESSIONCLOCK_RESEND_API_KEY": "re_elsewhere",
            "STRIPE_WEBHOOK_TOLERANCE_SECONDS": "60",
            "SESSIONCLOCK_EMAIL_FROM": "Clinic <a@b.example>",
            "SESSIONCLOCK_SECRET_KEY": STRONG,
            "SESSIONCLOCK_PASSWORD_PEPPER": STRONG[::-1],
        }
    )
    settings = get_settings()
    assert settings.stripe_api_key == "" and settings.resend_api_key == ""
    assert settings.stripe_webhook_tolerance_seconds == 60
    assert settings.email_from == "Clinic <a@b.example>"
    assert env_name("stripe_api_key") == "STRIPE_API_KEY"
    assert env_name("bcrypt_rounds") == "SESSIONCLOCK_BCRYPT_ROUNDS"
    for field in Settings.model_fields:
        assert env_name(field) in {ENV_PREFIX + field.upper(), field.upper()}, field


@pytest.mark.allow_warning_logs
def test_empty_variables_mean_the_default(environ: Environ) -> None:
    environ({"SESSIONCLOCK_BCRYPT_ROUNDS": "", "STRIPE_API_KEY": ""})
    settings = get_settings()
    assert settings.bcrypt_rounds == 12
    assert not settings.billing_enabled


def _production(**extra: str) -> dict[str, str]:
    env = {
        "SESSIONCLOCK_ENVIRONMENT": "production",
        "SESSIONCLOCK_SECRET_KEY": STRONG,
        "SESSIONCLOCK_PASSWORD_PEPPER": STRONG[::-1],
        "RESEND_API_KEY": "re_" + STRONG,
        "SESSIONCLOCK_PUBLIC_BASE_URL": "https://accounts.sessionclock.example",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v != "-"}


def test_production_with_real_secrets_starts(environ: Environ) -> None:
    environ(_production())
    assert get_settings().production


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SESSIONCLOCK_SECRET_KEY", "-"),
        ("SESSIONCLOCK_SECRET_KEY", "changethis"),
        ("SESSIONCLOCK_PASSWORD_PEPPER", "-"),
        ("SESSIONCLOCK_PASSWORD_PEPPER", "short"),
        ("SESSIONCLOCK_PASSWORD_PEPPER", "insecure-development-placeholder-change-me"),
        ("RESEND_API_KEY", "-"),
        ("SESSIONCLOCK_BCRYPT_ROUNDS", "4"),
        ("SESSIONCLOCK_PUBLIC_BASE_URL", "http://accounts.example"),
    ],
)
def test_production_refuses_placeholders_and_gaps(environ: Environ, name: str, value: str) -> None:
    environ(_production(**{name: value}))
    with pytest.raises(SettingsError, match=name):
        get_settings()


def test_production_refuses_a_placeholder_webhook_secret(environ: Environ) -> None:
    environ(
        _production(
            STRIPE_API_KEY="sk_live_" + STRONG,
            STRIPE_PRICE_ID="price_1",
            STRIPE_WEBHOOK_SECRET="whsec_changeme",
        )
    )
    with pytest.raises(SettingsError, match="STRIPE_WEBHOOK_SECRET is a placeholder"):
        get_settings()


def test_a_stripe_key_without_webhook_secret_is_refused_everywhere(environ: Environ) -> None:
    environ({"STRIPE_API_KEY": "sk_test_x", "STRIPE_PRICE_ID": "price_1"})
    with pytest.raises(SettingsError, match="STRIPE_WEBHOOK_SECRET"):
        get_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SESSIONCLOCK_BCRYPT_ROUNDS", "twelve"),
        ("SESSIONCLOCK_BCRYPT_ROUNDS", "40"),
        ("SESSIONCLOCK_RESET_CODE_MINUTES", "120"),
        ("SESSIONCLOCK_ENVIRONMENT", "staging"),
        ("SESSIONCLOCK_OUTBOX_INTERVAL_SECONDS", "soon"),
        ("STRIPE_WEBHOOK_TOLERANCE_SECONDS", "0"),
        # Limits and windows that would turn a protection off or make no sense.
        ("SESSIONCLOCK_LOGIN_MAX_FAILURES", "0"),
        ("SESSIONCLOCK_LOGIN_MAX_FAILURES", "1000000"),
        ("SESSIONCLOCK_LOGIN_WINDOW_SECONDS", "1"),
        ("SESSIONCLOCK_LOGIN_WINDOW_SECONDS", "1000000000"),
        ("SESSIONCLOCK_LOGIN_MAX_DELAY_SECONDS", "0"),
        ("SESSIONCLOCK_HASH_MAX_PER_ADDRESS", "0"),
        ("SESSIONCLOCK_HASH_WORKERS", "0"),
        ("SESSIONCLOCK_HASH_QUEUE", "-1"),
        ("SESSIONCLOCK_MAIL_MAX_PER_RECIPIENT", "1000"),
        ("SESSIONCLOCK_MAX_TOKENS_PER_ACCOUNT", "0"),
        ("SESSIONCLOCK_MIN_PASSWORD_LENGTH", "1"),
        ("SESSIONCLOCK_BCRYPT_ROUNDS", "20"),
        ("SESSIONCLOCK_MAX_BODY_BYTES", "10000000000"),
        ("SESSIONCLOCK_TRIAL_DAYS", "100000"),
        ("SESSIONCLOCK_OUTBOX_INTERVAL_SECONDS", "100000"),
        ("SESSIONCLOCK_TRUSTED_PROXIES", "10.0.0.1,proxy.internal"),
        ("SESSIONCLOCK_LOG_FORMAT", "xml"),
    ],
)
def test_bad_values_are_refused_by_name(environ: Environ, name: str, value: str) -> None:
    environ({name: value})
    with pytest.raises(SettingsError, match=name):
        get_settings()


def test_a_refusal_never_repeats_a_secret(environ: Environ) -> None:
    secret = "sk_live_" + STRONG
    environ({"STRIPE_API_KEY": secret, "SESSIONCLOCK_BCRYPT_ROUNDS": "x" + STRONG})
    with pytest.raises(SettingsError) as refused:
        get_settings()
    assert STRONG not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_settings_built_from_values_alone_are_checked_too(environ: Environ) -> None:
    environ({"SESSIONCLOCK_BCRYPT_ROUNDS": "13", "STRIPE_PRICE_ID": "price_env"})
    built = settings_from(trial_days=3)
    assert built.trial_days == 3
    # The environment played no part.
    assert built.bcrypt_rounds == 12 and built.stripe_price_id == ""
    with pytest.raises(ValidationError, match="reset_code_minutes"):
        settings_from(reset_code_minutes=120)


def test_pepper_matters() -> None:
    one = PasswordHasher(pepper="pepper one " * 4, rounds=4)
    two = PasswordHasher(pepper="pepper two " * 4, rounds=4)
    hashed = one.hash("a password of some length")
    assert one.verify("a password of some length", hashed)
    assert not two.verify("a password of some length", hashed)
    assert not one.verify("a password of some length", None)
    assert not one.verify("x", "not a bcrypt hash")
    assert not one.verify("\udcff lone surrogate", hashed)


def test_lists_are_comma_separated(environ: Environ) -> None:
    environ(
        {
            "SESSIONCLOCK_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/16,::1",
            "SESSIONCLOCK_ALLOWED_HOSTS": "accounts.example, internal.example",
            "SESSIONCLOCK_SECRET_KEY": STRONG,
            "SESSIONCLOCK_PASSWORD_PEPPER": STRONG[::-1],
        }
    )
    settings = get_settings()
    assert settings.trusted_proxies == ["10.0.0.5", "192.168.0.0/16", "::1"]
    assert settings.hosts == ["accounts.example", "internal.example"]


def test_without_allowed_hosts_the_public_host_and_loopback_are_allowed() -> None:
    settings = settings_from(public_base_url="https://accounts.sessionclock.example/")
    assert settings.hosts == ["accounts.sessionclock.example", "127.0.0.1", "localhost", "::1"]
    assert settings.secure_cookies
    assert not settings_from(public_base_url="http://127.0.0.1:8765").secure_cookies


def test_placeholder_secrets_are_recognised() -> None:
    assert settings_from().placeholder_secrets
    assert settings_from(secret_key=STRONG, password_pepper="changeme" * 5).placeholder_secrets
    assert not settings_from(secret_key=STRONG, password_pepper=STRONG[::-1]).placeholder_secrets
