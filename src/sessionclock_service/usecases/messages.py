"""What each e-mail says. No message ever contains client data, a password or an API token."""

from __future__ import annotations

import html
from datetime import datetime

from sessionclock_service.integrations.email import EmailMessage


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


def signup_code_message(*, to: str, code: str, link: str, minutes: int) -> EmailMessage:
    """Build the message carrying the code that confirms a sign-up (and a link to its page)."""
    return _message(
        to,
        "Confirm your Session Clock address",
        [
            "Someone signed up for Session Clock with this address.",
            f"Your confirmation code is: {code}",
            f"Enter it in Session Clock within {minutes} minutes, or open {link}",
            "If you did not sign up, ignore this message: no account is made without the code.",
        ],
    )


def account_exists_message(*, to: str) -> EmailMessage:
    """Build the notice sent instead of a code when someone signs up with a registered address."""
    return _message(
        to,
        "Someone tried to sign up with your Session Clock address",
        [
            "Someone tried to sign up for Session Clock with this address, "
            "which already has an account. Nothing was changed.",
            "If it was you, sign in instead; if you forgot your password, use "
            "Forgot password in Session Clock.",
            "If it was not you, you need not do anything.",
        ],
    )


def password_reset_message(*, to: str, code: str, minutes: int) -> EmailMessage:
    """Build the password-reset message carrying the one-time *code*."""
    return _message(
        to,
        "Reset your Session Clock password",
        [
            "Someone asked to reset the password of your Session Clock account.",
            f"Your reset code is: {code}",
            f"Enter it in Session Clock within {minutes} minutes. It works once.",
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
