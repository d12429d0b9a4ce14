"""The privacy page's promises are the README's, word for word; its facts come from the data."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sessionclock.core.account.models import (
    AccountView,
    Device,
    Entitlement,
    EntitlementSource,
    EntitlementState,
)
from sessionclock.core.models import StoredSpan
from sessionclock.core.privacy import PROMISES, LocalFacts, local_facts, service_facts

ROOT = Path(__file__).resolve().parents[2]
TZ = ZoneInfo("America/Toronto")
WHEN = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)


def _readme_privacy() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Privacy\n", 1)[1].split("\n## ", 1)[0]
    return re.sub(r"\s+", " ", section)


def test_every_promise_the_app_shows_is_in_the_readme_word_for_word() -> None:
    privacy = _readme_privacy()
    missing = [promise for promise in PROMISES if promise not in privacy]
    assert missing == []


def test_the_promises_the_issue_names_are_among_them() -> None:
    text = " ".join(PROMISES)
    for phrase in ("customer portal", "export", "deleting the account", "key store"):
        assert phrase in text


def test_local_facts_say_how_much_and_where_without_any_name() -> None:
    facts = LocalFacts(
        span=StoredSpan(3, WHEN, WHEN.replace(day=20)),
        feed_stored=True,
        key_location="the Secret Service (GNOME Keyring or KDE Wallet)",
        last_sync=WHEN,
        database=Path("/home/p/.local/share/SessionClock/sessionclock.db"),
    )
    assert dict(local_facts(facts, tz=TZ)) == {
        "Sessions kept": "3 sessions, from Tue 10 Nov 2026 to Fri 20 Nov 2026",
        "Client names": "Encrypted (AES-256-GCM) with this account's key",
        "Calendar address": "Stored, encrypted (AES-256-GCM)",
        "Encryption key and sign-in": "In the Secret Service (GNOME Keyring or KDE Wallet)",
        "Last calendar sync": "Tue 10 Nov 2026 at 10:00",
        "Database file": "/home/p/.local/share/SessionClock/sessionclock.db",
    }
    empty = LocalFacts(StoredSpan(0, None, None), False, "memory", None, Path("x.db"))
    lines = dict(local_facts(empty, tz=TZ))
    assert lines["Sessions kept"] == "None"
    assert lines["Calendar address"] == "None stored"
    assert lines["Last calendar sync"] == "Never"


def test_service_facts_list_what_the_service_knows() -> None:
    view = AccountView(
        id="a1b2c3d4e5f60718293a4b5c6d7e8f90",
        email="ann@clinic.example",
        created_at=WHEN,
        entitlement=Entitlement(
            EntitlementState.TRIAL, True, EntitlementSource.TRIAL, WHEN, WHEN, WHEN
        ),
        devices=(
            Device("1", "Front-Desk-PC", WHEN, WHEN, current=True),
            Device("2", "Room tablet", WHEN, WHEN, current=False),
        ),
    )
    assert dict(service_facts(view, standing="Free trial · ends Tue 24 Nov")) == {
        "E-mail address": "ann@clinic.example",
        "Subscription": "Free trial · ends Tue 24 Nov",
        "Devices signed in": "Front-Desk-PC (this computer), Room tablet",
        "Client data": "Only sealed records for your other devices, which it cannot open",
    }
