"""Service settings read from the environment, with a refusal to run production on placeholders."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///sessionclock-service.sqlite3"
PLACEHOLDER_SECRET = "insecure-development-placeholder-change-me"  # noqa: S105
_PLACEHOLDER_MARKERS = ("changethis", "change-me", "changeme", "placeholder", "secret", "xxx")
_MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """Raised when the environment describes a configuration the service must not run with."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything the service is configured with.

    Attributes:
        environment: ``development`` (the default, runs with nothing configured) or ``production``.
        database_url: SQLAlchemy URL; SQLite file by default, ``postgresql+psycopg://`` supported.
        secret_key: Key for signing and encrypting server-side data (the e-mail outbox).
        password_pepper: HMAC key mixed into every password hash; kept outside the database.
        bcrypt_rounds: bcrypt cost factor; tests lower it, production keeps the default.
        min_password_length: Shortest password accepted.
        token_inactivity_days: API tokens unused for this long stop working.
        reset_token_minutes: Password-reset tokens expire after this many minutes (at most 60).
        trial_days: Length of the trial every new account starts with.
        login_max_failures: Failed sign-ins allowed per account (e-mail) in the window.
        login_max_address_failures: Failed sign-ins allowed per client address in the window.
        login_window_seconds: Length of the rate-limit window.
        stripe_api_key: Stripe secret key; empty turns billing off (its routes answer 503).
        stripe_webhook_secret: Signing secret of the Stripe webhook endpoint.
        stripe_price_id: The one subscription price offered (a server-side allowlist of one).
        stripe_api_base: Base address of the Stripe API (a loopback fake in tests).
        webhook_tolerance_seconds: Oldest (and furthest in the future) webhook timestamp accepted.
        resend_api_key: Resend API key; empty keeps messages queued in the outbox.
        resend_base_url: Base address of the Resend API (a loopback fake in tests).
        email_from: Sender address of every message.
        public_base_url: Where the service is reachable, used in links (Checkout return, reset).
        max_body_bytes: Largest request body accepted, except the Stripe webhook.
        max_webhook_body_bytes: Largest Stripe webhook body accepted.
        outbox_interval_seconds: How often each worker retries queued e-mail (0 turns it off).
        admin_session_minutes: Lifetime of a staff sign-in.
    """

    environment: str = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = PLACEHOLDER_SECRET
    password_pepper: str = PLACEHOLDER_SECRET
    bcrypt_rounds: int = 12
    min_password_length: int = 10
    token_inactivity_days: int = 90
    reset_token_minutes: int = 30
    trial_days: int = 14
    login_max_failures: int = 10
    login_max_address_failures: int = 50
    login_window_seconds: int = 900
    stripe_api_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_price_id: str = ""
    stripe_api_base: str = "https://api.stripe.com"
    webhook_tolerance_seconds: int = 300
    resend_api_key: str = ""
    resend_base_url: str = "https://api.resend.com"
    email_from: str = "Session Clock <accounts@sessionclock.invalid>"
    public_base_url: str = "http://127.0.0.1:8765"
    max_body_bytes: int = 64 * 1024
    max_webhook_body_bytes: int = 512 * 1024
    outbox_interval_seconds: float = 30.0
    admin_session_minutes: int = 60

    @property
    def production(self) -> bool:
        """Whether the service runs in production mode."""
        return self.environment == "production"

    @property
    def billing_enabled(self) -> bool:
        """Whether Stripe is configured."""
        return bool(self.stripe_api_key)

    def validate(self) -> None:
        """Refuse configurations that must never run.

        Raises:
            SettingsError: When production runs on placeholder or missing secrets, or when
                Stripe is half configured (a key without a webhook secret would mean accepting
                unverified webhooks).
        """
        problems: list[str] = []
        if self.environment not in ("development", "production"):
            problems.append("SESSIONCLOCK_ENVIRONMENT must be 'development' or 'production'")
        if not 4 <= self.bcrypt_rounds <= 31:
            problems.append("SESSIONCLOCK_BCRYPT_ROUNDS must be between 4 and 31")
        if not 1 <= self.reset_token_minutes <= 60:
            problems.append("SESSIONCLOCK_RESET_TOKEN_MINUTES must be between 1 and 60")
        if self.billing_enabled and not (self.stripe_webhook_secret and self.stripe_price_id):
            problems.append(
                "STRIPE_API_KEY is set: STRIPE_WEBHOOK_SECRET and STRIPE_PRICE_ID are required too"
            )
        if self.production:
            # Refuse placeholder secrets instead of running with them (as the FastAPI template
            # does): a forgotten variable must stop the deploy, not weaken every password hash.
            for name, value in (
                ("SESSIONCLOCK_SECRET_KEY", self.secret_key),
                ("SESSIONCLOCK_PASSWORD_PEPPER", self.password_pepper),
            ):
                if _is_placeholder(value):
                    problems.append(f"{name} is missing or a placeholder")
            if self.bcrypt_rounds < 12:
                problems.append("SESSIONCLOCK_BCRYPT_ROUNDS must be at least 12 in production")
            if not self.resend_api_key or _is_placeholder(self.resend_api_key):
                problems.append("RESEND_API_KEY is missing or a placeholder")
            if self.billing_enabled and _is_placeholder(self.stripe_webhook_secret):
                problems.append("STRIPE_WEBHOOK_SECRET is a placeholder")
            if not self.public_base_url.startswith("https://"):
                problems.append("SESSIONCLOCK_PUBLIC_BASE_URL must be https:// in production")
        if problems:
            raise SettingsError("; ".join(problems))


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return len(value) < _MIN_SECRET_LENGTH or any(m in lowered for m in _PLACEHOLDER_MARKERS)


_ENV_NAMES: dict[str, str] = {
    "environment": "SESSIONCLOCK_ENVIRONMENT",
    "database_url": "SESSIONCLOCK_DATABASE_URL",
    "secret_key": "SESSIONCLOCK_SECRET_KEY",
    "password_pepper": "SESSIONCLOCK_PASSWORD_PEPPER",
    "bcrypt_rounds": "SESSIONCLOCK_BCRYPT_ROUNDS",
    "min_password_length": "SESSIONCLOCK_MIN_PASSWORD_LENGTH",
    "token_inactivity_days": "SESSIONCLOCK_TOKEN_INACTIVITY_DAYS",
    "reset_token_minutes": "SESSIONCLOCK_RESET_TOKEN_MINUTES",
    "trial_days": "SESSIONCLOCK_TRIAL_DAYS",
    "login_max_failures": "SESSIONCLOCK_LOGIN_MAX_FAILURES",
    "login_max_address_failures": "SESSIONCLOCK_LOGIN_MAX_ADDRESS_FAILURES",
    "login_window_seconds": "SESSIONCLOCK_LOGIN_WINDOW_SECONDS",
    "stripe_api_key": "STRIPE_API_KEY",
    "stripe_webhook_secret": "STRIPE_WEBHOOK_SECRET",
    "stripe_price_id": "STRIPE_PRICE_ID",
    "stripe_api_base": "STRIPE_API_BASE",
    "webhook_tolerance_seconds": "STRIPE_WEBHOOK_TOLERANCE_SECONDS",
    "resend_api_key": "RESEND_API_KEY",
    "resend_base_url": "RESEND_BASE_URL",
    "email_from": "SESSIONCLOCK_EMAIL_FROM",
    "public_base_url": "SESSIONCLOCK_PUBLIC_BASE_URL",
    "max_body_bytes": "SESSIONCLOCK_MAX_BODY_BYTES",
    "max_webhook_body_bytes": "SESSIONCLOCK_MAX_WEBHOOK_BODY_BYTES",
    "outbox_interval_seconds": "SESSIONCLOCK_OUTBOX_INTERVAL_SECONDS",
    "admin_session_minutes": "SESSIONCLOCK_ADMIN_SESSION_MINUTES",
}


def get_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from the environment (or *environ*) and validate them.

    Raises:
        SettingsError: When a value does not parse or the configuration must not run.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field in dataclasses.fields(Settings):
        raw = env.get(_ENV_NAMES[field.name])
        if raw is None or raw == "":
            continue
        try:
            if field.type == "int":
                values[field.name] = int(raw)
            elif field.type == "float":
                values[field.name] = float(raw)
            else:
                values[field.name] = raw
        except ValueError as exc:
            raise SettingsError(f"{_ENV_NAMES[field.name]} is not a number") from exc
    settings = Settings(**values)  # type: ignore[arg-type]
    settings.validate()
    if not settings.production and (
        settings.secret_key == PLACEHOLDER_SECRET or settings.password_pepper == PLACEHOLDER_SECRET
    ):
        logger.warning("Running in development mode with placeholder secrets.")
    return settings
