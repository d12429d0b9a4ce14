"""What the privacy page says: the product's promises, and the live facts of one account.

``PROMISES`` are the README's "Privacy" sentences, word for word (a test holds them together).
``local_facts`` and ``service_facts`` turn what is stored and what the service answered into
the page's lines; no client name and no feed address is ever part of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from sessionclock.core.account.models import AccountView
from sessionclock.core.models import StoredSpan

PROMISES: tuple[str, ...] = (
    "Only the signed-in practitioner's data is shown: every stored row carries an account id and "
    "every query is scoped to it.",
    "Each practitioner on a computer signs in to their own account; signing out locks that "
    "account's sessions, settings and calendar address until its next sign-in.",
    "The calendar address and client names are encrypted with AES-256-GCM; the key lives in the "
    "operating system's key store (Credential Locker, Keychain, Secret Service), never beside "
    "the data.",
    "The sign-in token lives in the operating system's key store too, never in the database or "
    "a settings file. Passwords are not stored on this computer, except while an account "
    "deletion waits for the account service: then the password waits in the key store and is "
    "removed once the service has deleted the account.",
    "The raw feed is never written anywhere; only each session's name, start and end are imported.",
    "Client data leaves this computer only sealed with a key the account service never has: "
    "sessions, the calendar address and preferences reach your other devices as AES-256-GCM "
    "records the service stores and cannot open. The account service knows your e-mail address, "
    "your subscription state, the names of the devices you signed in with, and how many sealed "
    "records it keeps and their sizes, and nothing else.",
    "Stripe handles payment; cancel at any time through the Stripe customer portal.",
    "Your schedule can be exported (CSV or iCalendar) at any time, with or without a subscription.",
    "Disconnecting the calendar, or replacing its address, deletes the old address at once "
    "(SQLite secure delete and a WAL checkpoint); deleting the account deletes it at the account "
    "service and every row of it on this computer, with its key and its sign-in.",
)
"""The promises the privacy page shows, exactly as the README's "Privacy" section words them."""


@dataclass(frozen=True, slots=True)
class LocalFacts:
    """What is stored on this computer for the account shown.

    Attributes:
        span: how many sessions are kept and the span they cover.
        feed_stored: whether a (sealed) calendar address is stored.
        key_location: where the encryption key and the sign-in token live.
        last_sync: when a calendar sync last ran, if ever.
        database: the database file.
    """

    span: StoredSpan
    feed_stored: bool
    key_location: str
    last_sync: datetime | None
    database: Path


def _day(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y}"


def local_facts(facts: LocalFacts, *, tz: tzinfo) -> list[tuple[str, str]]:
    """Return the page's "On this computer" lines as (what, where or how much)."""
    span = facts.span
    if span.count and span.first_start is not None and span.last_end is not None:
        noun = "session" if span.count == 1 else "sessions"
        sessions = (
            f"{span.count} {noun}, from {_day(span.first_start, tz)} to {_day(span.last_end, tz)}"
        )
    else:
        sessions = "None"
    if facts.last_sync is None:
        synced = "Never"
    else:
        local = facts.last_sync.astimezone(tz)
        synced = f"{_day(local, tz)} at {local:%H:%M}"
    return [
        ("Sessions kept", sessions),
        ("Client names", "Encrypted (AES-256-GCM) with this account's key"),
        (
            "Calendar address",
            "Stored, encrypted (AES-256-GCM)" if facts.feed_stored else "None stored",
        ),
        ("Encryption key and sign-in", f"In {facts.key_location}"),
        ("Last calendar sync", synced),
        ("Database file", str(facts.database)),
    ]


def service_facts(view: AccountView, *, standing: str) -> list[tuple[str, str]]:
    """Return the page's "At the account service" lines for what the service answered."""
    names = ", ".join(d.name + (" (this computer)" if d.current else "") for d in view.devices)
    return [
        ("E-mail address", view.email),
        ("Subscription", standing),
        ("Devices signed in", names or "None"),
        ("Client data", "Only sealed records for your other devices, which it cannot open"),
    ]
