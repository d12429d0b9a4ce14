"""Service settings: each declared once, read from the environment by pydantic-settings.

A field's name, type, default, limits and environment variable are declared together on
`Settings`. The variable is ``SESSIONCLOCK_`` plus the field's name in capitals, except for the
providers' own keys, whose field names are their variables' names in lower case
(``stripe_api_key`` is ``STRIPE_API_KEY``). Nothing is read at import time: `get_settings` reads
the environment when the service starts. Values given to the constructor take precedence over
the environment, which is how tests build settings of their own.

Production refuses to run on placeholder secrets, a low bcrypt cost, a missing Resend key or a
public address that is not https, so a forgotten variable stops the deploy instead of weakening
every password hash.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import timedelta
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

logger = logging.getLogger(__name__)

ENV_PREFIX = "SESSIONCLOCK_"
DEFAULT_DATABASE_URL = "sqlite:///sessionclock-service.sqlite3"
PLACEHOLDER_SECRET = "insecure-development-placeholder-change-me"  # noqa: S105
_PLACEHOLDER_MARKERS = ("changethis", "change-me", "changeme", "placeholder", "secret", "xxx")
_MIN_SECRET_LENGTH = 32

DAY = 24 * 60 * 60
MIB = 1024 * 1024
MAX_CIPHERTEXT_BYTES = MIB
"""The largest record cap any configuration may set."""
MAX_PUSH_RECORDS = 1000
"""The most records per push any configuration may allow."""
Seconds = Annotated[int, Field(ge=1, le=DAY)]
Count = Annotated[int, Field(ge=1, le=100_000)]
Bytes = Annotated[int, Field(ge=1024, le=16 * 1024 * 1024)]
Names = Annotated[list[str], NoDecode]
"""A list given in the environment as comma-separated names."""


class SettingsError(ValueError):
    """Raised when the environment describes a configuration the service must not run with."""


class Settings(BaseSettings):
    """Everything the service is configured with (immutable once built).

    Attributes:
        environment: ``development`` (the default, runs with nothing configured) or ``production``.
        database_url: SQLAlchemy URL; SQLite file by default, ``postgresql+psycopg://`` supported.
        secret_key: Key for signing and encrypting server-side data (the e-mail outbox).
        password_pepper: HMAC key mixed into every password hash; kept outside the database.
        bcrypt_rounds: bcrypt cost factor; tests lower it, production keeps the default.
        min_password_length: Shortest password accepted.
        token_inactivity_days: API tokens unused for this long stop working.
        signup_code_minutes: A sign-up not confirmed with its mailed code within this many
            minutes expires (and the address can be signed up again).
        reset_code_minutes: Password-reset codes expire after this many minutes (at most 60).
        trial_days: Length of the trial every new account starts with.
        login_max_failures: Wrong passwords allowed per client address and e-mail in the window;
            beyond them each try waits longer (30 s, doubling up to the window).
        login_max_address_failures: Wrong passwords (or codes) allowed per client address in the
            window, whatever the e-mail; beyond them the same growing wait.
        login_max_account_failures: Wrong passwords allowed per e-mail from every address
            together; beyond them tries from addresses that never signed in to the account wait
            (30 s, doubling up to ``login_max_delay_seconds``). Addresses that did sign in to it
            in the last 30 days never wait for a stranger's failures.
        login_max_delay_seconds: The longest such wait for an account's owner.
        login_window_seconds: How long failures are counted.
        hash_max_per_address: Password hashes (sign-ups, sign-ins, resets, password checks) one
            client address may cause per minute, successful ones included.
        hash_max_per_target: Password hashes aimed at one e-mail address per minute.
        hash_workers: Threads that run bcrypt, per worker process; nothing else runs on them.
        hash_queue: Hashes that may wait for those threads; beyond them requests answer 503.
        mail_max_per_recipient: Codes and notices mailed to one address per day (beyond them
            nothing is sent, and the caller's answer is the same).
        mail_max_per_address: Sign-ups and reset requests one client address may make per hour.
        max_tokens_per_account: Devices signed in at once; signing in one more signs out the
            one unused the longest.
        deletion_grant_days: A deletion grant (a credential that can only delete its account)
            lasts this long.
        pairing_minutes: A pairing not finished this long after the new device asked is gone.
        pairings_per_hour: Pairings one account may start an hour.
        key_changes_per_hour: First keys, restarts and rotations one account may make an hour.
        sync_max_record_bytes: Largest sealed record accepted.
        sync_max_records: Records one account may keep.
        sync_max_account_bytes: Bytes of sealed records one account may keep.
        sync_max_push_records: Records one push may carry.
        sync_max_push_bytes: Largest body of a push or a rotation (other routes: max_body_bytes).
        sync_pushes_per_minute: Pushes one device (token) may make a minute.
        stripe_api_key: Stripe secret key; empty turns billing off (its routes answer 503).
        stripe_webhook_secret: Signing secret of the Stripe webhook endpoint.
        stripe_price_id: The one subscription price offered (a server-side allowlist of one).
        stripe_api_base: Base address of the Stripe API (a loopback fake in tests).
        stripe_webhook_tolerance_seconds: Oldest (and furthest in the future) webhook timestamp
            accepted.
        resend_api_key: Resend API key; empty keeps messages queued in the outbox.
        resend_base_url: Base address of the Resend API (a loopback fake in tests).
        email_from: Sender address of every message.
        public_base_url: Where the service is reachable, used in links (Checkout return, reset).
        max_body_bytes: Largest request body accepted, except the Stripe webhook.
        max_webhook_body_bytes: Largest Stripe webhook body accepted.
        outbox_interval_seconds: How often each worker retries queued e-mail (0 turns it off).
        admin_session_minutes: Lifetime of a staff sign-in.
        trusted_proxies: Addresses (or networks) of the reverse proxies in front of the service;
            their ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed, nobody else's.
        allowed_hosts: Host names the service answers to; empty means the public address's
            host (and loopback names, for local checks).
        log_format: ``text`` or ``json`` (one JSON object per line, for log collectors).
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,
        frozen=True,
        # A refusal must never repeat a secret it was given.
        hide_input_in_errors=True,
    )

    environment: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = PLACEHOLDER_SECRET
    password_pepper: str = PLACEHOLDER_SECRET
    bcrypt_rounds: Annotated[int, Field(ge=4, le=16)] = 12
    min_password_length: Annotated[int, Field(ge=8, le=64)] = 10
    token_inactivity_days: Annotated[int, Field(ge=1, le=3650)] = 90
    signup_code_minutes: Annotated[int, Field(ge=5, le=24 * 60)] = 60
    reset_code_minutes: Annotated[int, Field(ge=5, le=60)] = 30
    trial_days: Annotated[int, Field(ge=0, le=365)] = 14
    login_max_failures: Annotated[int, Field(ge=1, le=1000)] = 10
    login_max_address_failures: Count = 50
    login_max_account_failures: Annotated[int, Field(ge=1, le=1000)] = 20
    login_max_delay_seconds: Annotated[int, Field(ge=1, le=3600)] = 300
    login_window_seconds: Annotated[int, Field(ge=60, le=DAY)] = 900
    hash_max_per_address: Count = 30
    hash_max_per_target: Annotated[int, Field(ge=1, le=1000)] = 10
    hash_workers: Annotated[int, Field(ge=1, le=64)] = 1
    hash_queue: Annotated[int, Field(ge=0, le=10_000)] = 8
    mail_max_per_recipient: Annotated[int, Field(ge=1, le=100)] = 5
    mail_max_per_address: Count = 30
    max_tokens_per_account: Annotated[int, Field(ge=1, le=1000)] = 20
    deletion_grant_days: Annotated[int, Field(ge=1, le=365)] = 30
    pairing_minutes: Annotated[int, Field(ge=1, le=60)] = 10
    pairings_per_hour: Annotated[int, Field(ge=1, le=1000)] = 10
    key_changes_per_hour: Annotated[int, Field(ge=1, le=1000)] = 10
    sync_max_record_bytes: Annotated[int, Field(ge=1024, le=MAX_CIPHERTEXT_BYTES)] = 16 * 1024
    sync_max_records: Annotated[int, Field(ge=100, le=1_000_000)] = 50_000
    sync_max_account_bytes: Annotated[int, Field(ge=MIB, le=4 * 1024 * MIB)] = 64 * MIB
    sync_max_push_records: Annotated[int, Field(ge=1, le=MAX_PUSH_RECORDS)] = 500
    sync_max_push_bytes: Annotated[int, Field(ge=64 * 1024, le=64 * MIB)] = 4 * MIB
    sync_pushes_per_minute: Annotated[int, Field(ge=1, le=10_000)] = 120
    stripe_api_key: Annotated[str, Field(validation_alias="STRIPE_API_KEY")] = ""
    stripe_webhook_secret: Annotated[str, Field(validation_alias="STRIPE_WEBHOOK_SECRET")] = ""
    stripe_price_id: Annotated[str, Field(validation_alias="STRIPE_PRICE_ID")] = ""
    stripe_api_base: Annotated[str, Field(validation_alias="STRIPE_API_BASE")] = (
        "https://api.stripe.com"
    )
    stripe_webhook_tolerance_seconds: Annotated[
        int, Field(ge=1, le=3600, validation_alias="STRIPE_WEBHOOK_TOLERANCE_SECONDS")
    ] = 300
    resend_api_key: Annotated[str, Field(validation_alias="RESEND_API_KEY")] = ""
    resend_base_url: Annotated[str, Field(validation_alias="RESEND_BASE_URL")] = (
        "https://api.resend.com"
    )
    email_from: str = "Session Clock <accounts@sessionclock.invalid>"
    public_base_url: str = "http://127.0.0.1:8765"
    max_body_bytes: Bytes = 64 * 1024
    max_webhook_body_bytes: Bytes = 512 * 1024
    outbox_interval_seconds: Annotated[float, Field(ge=0, le=3600)] = 30.0
    admin_session_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 60
    trusted_proxies: Names = []
    allowed_hosts: Names = []
    log_format: Literal["text", "json"] = "text"

    @field_validator("trusted_proxies", "allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network") from None
        return value

    @property
    def hosts(self) -> list[str]:
        """The host names the service answers to (see ``allowed_hosts``)."""
        if self.allowed_hosts:
            return list(self.allowed_hosts)
        public = urlsplit(self.public_base_url).hostname or ""
        return list(dict.fromkeys(h for h in (public, "127.0.0.1", "localhost", "::1") if h))

    @property
    def secure_cookies(self) -> bool:
        """Whether cookies are marked ``Secure``: whenever the public address is https."""
        return self.public_base_url.startswith("https://")

    @property
    def placeholder_secrets(self) -> bool:
        """Whether a secret is missing or a placeholder (fine on loopback, for development)."""
        return any(_is_placeholder(v) for v in (self.secret_key, self.password_pepper))

    @property
    def production(self) -> bool:
        """Whether the service runs in production mode."""
        return self.environment == "production"

    @property
    def billing_enabled(self) -> bool:
        """Whether Stripe is configured."""
        return bool(self.stripe_api_key)

    @property
    def token_inactivity(self) -> timedelta:
        """How long an unused API token keeps working."""
        return timedelta(days=self.token_inactivity_days)

    @model_validator(mode="after")
    def _refuse_what_must_never_run(self) -> Self:
        """Refuse half-configured billing anywhere, and placeholders and gaps in production."""
        problems: list[str] = []
        if self.sync_max_record_bytes > self.sync_max_account_bytes:
            problems.append(
                f"{env_name('sync_max_record_bytes')} must not exceed "
                f"{env_name('sync_max_account_bytes')}"
            )
        if self.sync_max_push_bytes < 2 * self.sync_max_record_bytes:
            # base64 makes a record a third larger; one largest record must fit in a push.
            problems.append(
                f"{env_name('sync_max_push_bytes')} must be at least twice "
                f"{env_name('sync_max_record_bytes')}"
            )
        if self.billing_enabled and not (self.stripe_webhook_secret and self.stripe_price_id):
            # A key without a webhook secret would mean accepting unverified webhooks.
            problems.append(
                f"{env_name('stripe_api_key')} is set: {env_name('stripe_webhook_secret')} and "
                f"{env_name('stripe_price_id')} are required too"
            )
        if self.production:
            # Refuse placeholder secrets instead of running with them (as the FastAPI template
            # does): a forgotten variable must stop the deploy, not weaken every password hash.
            for field in ("secret_key", "password_pepper"):
                if _is_placeholder(getattr(self, field)):
                    problems.append(f"{env_name(field)} is missing or a placeholder")
            if self.bcrypt_rounds < 12:
                problems.append(f"{env_name('bcrypt_rounds')} must be at least 12 in production")
            if not self.resend_api_key or _is_placeholder(self.resend_api_key):
                problems.append(f"{env_name('resend_api_key')} is missing or a placeholder")
            if self.billing_enabled and _is_placeholder(self.stripe_webhook_secret):
                problems.append(f"{env_name('stripe_webhook_secret')} is a placeholder")
            if not self.public_base_url.startswith("https://"):
                problems.append(f"{env_name('public_base_url')} must be https:// in production")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def env_name(field: str) -> str:
    """Return the environment variable that sets *field* of `Settings`."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return len(value) < _MIN_SECRET_LENGTH or any(m in lowered for m in _PLACEHOLDER_MARKERS)


def _explain(error: ValidationError) -> str:
    """Say what is wrong by environment variable, never repeating a value."""
    names = {
        key: env_name(field)
        for field, info in Settings.model_fields.items()
        for key in (field, info.validation_alias)
        if isinstance(key, str)
    }
    parts = []
    for problem in error.errors(include_url=False, include_input=False):
        cause = problem.get("ctx", {}).get("error")
        message = str(cause) if cause is not None else problem["msg"]
        where = names.get(str(problem["loc"][0])) if problem["loc"] else None
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def get_settings() -> Settings:
    """Read the settings from the environment and check them.

    Raises:
        SettingsError: When a value does not parse or the configuration must not run.
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        # Not chained: the validation error's own text could carry a secret it was given.
        raise SettingsError(_explain(exc)) from None
    if not settings.production and PLACEHOLDER_SECRET in (
        settings.secret_key,
        settings.password_pepper,
    ):
        logger.warning("Running in development mode with placeholder secrets.")
    return settings
