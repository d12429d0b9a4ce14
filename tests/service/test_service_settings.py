"""Settings from the environment, and the refusal to run production on placeholders."""

from __future__ import annotations

import pytest

from sessionclock_service.security import PasswordHasher
from sessionclock_service.settings import (
    DEFAULT_DATABASE_URL,
    Settings,
    SettingsError,
    get_settings,
)

STRONG = "x7Qp2Lm9Rt4Vw8Yz1Bn5Cd3Fg6Hj0Kk2Mm4Nn6Pp8"


@pytest.mark.allow_warning_logs
def test_runs_with_nothing_configured() -> None:
    settings = get_settings({})
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.bcrypt_rounds == 12  # the real cost by default
    assert not settings.billing_enabled


def test_reads_the_environment() -> None:
    settings = get_settings(
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
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.bcrypt_rounds == 13
    assert settings.billing_enabled
    assert settings.resend_base_url == "http://127.0.0.1:1"


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


def test_production_with_real_secrets_starts() -> None:
    assert get_settings(_production()).production


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
def test_production_refuses_placeholders_and_gaps(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        get_settings(_production(**{name: value}))


def test_a_stripe_key_without_webhook_secret_is_refused_everywhere() -> None:
    with pytest.raises(SettingsError, match="STRIPE_WEBHOOK_SECRET"):
        get_settings({"STRIPE_API_KEY": "sk_test_x", "STRIPE_PRICE_ID": "price_1"})


def test_bad_numbers_are_refused() -> None:
    with pytest.raises(SettingsError, match="SESSIONCLOCK_BCRYPT_ROUNDS"):
        get_settings({"SESSIONCLOCK_BCRYPT_ROUNDS": "twelve"})
    with pytest.raises(SettingsError, match="RESET_TOKEN_MINUTES"):
        Settings(reset_token_minutes=120).validate()


def test_pepper_matters() -> None:
    one = PasswordHasher(pepper="pepper one " * 4, rounds=4)
    two = PasswordHasher(pepper="pepper two " * 4, rounds=4)
    hashed = one.hash("a password of some length")
    assert one.verify("a password of some length", hashed)
    assert not two.verify("a password of some length", hashed)
    assert not one.verify("a password of some length", None)
    assert not one.verify("x", "not a bcrypt hash")
    assert not one.verify("\udcff lone surrogate", hashed)
