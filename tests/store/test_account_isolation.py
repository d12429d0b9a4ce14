"""Two accounts in one database never see or change each other's rows, through any method."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from sessionclock.core.account.access import EntitlementRecord
from sessionclock.core.account.models import (
    Entitlement,
    EntitlementSource,
    EntitlementState,
    ServiceLink,
)
from sessionclock.core.errors import DecryptionError, NotFoundError
from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.core.models import Session, SessionSource, StoredSpan
from sessionclock.core.preferences import Preferences
from sessionclock.store import AccountRepository, Database

DAY = datetime(2026, 5, 4, tzinfo=ZoneInfo("America/Toronto"))
FAR = timedelta(days=3650)
CHECK = EntitlementRecord(
    Entitlement(
        state=EntitlementState.ACTIVE,
        entitled=True,
        source=EntitlementSource.SUBSCRIPTION,
        ends_at=DAY + timedelta(days=30),
        trial_ends_at=DAY,
        checked_at=DAY,
    ),
    checked_locally_at=DAY,
)


def _session(name: str, hour: int, source: SessionSource = SessionSource.CALENDAR) -> Session:
    start = DAY.replace(hour=hour)
    return Session(client_name=name, start=start, end=start + timedelta(hours=1), source=source)


@dataclass(frozen=True)
class Victim:
    """Account A and the ids of its data, which account B's repository is aimed at."""

    repo: AccountRepository
    calendar: Session
    manual: Session

    @property
    def ids(self) -> list[int]:
        return [s.id for s in (self.calendar, self.manual) if s.id is not None]


@pytest.fixture
def victim(db: Database, keystore: KeyringKeyStore) -> Victim:
    repo = db.repository(db.create_account(), keystore)
    calendar = repo.add(_session("Alice Victim", 9))
    manual = repo.add(_session("Bob Victim", 11, SessionSource.MANUAL))
    assert calendar.id is not None
    repo.mark_reminders_fired([(calendar.id, 10), (calendar.id, 5)])
    repo.set_setting("shared-key", {"owner": "A"})
    repo.set_feed_url("https://calendar.test/victim.ics")
    repo.link_service(ServiceLink("https://service.test", "victim@example.org"))
    repo.save_entitlement(CHECK)
    repo.save_preferences(Preferences(start_at_login=True))
    return Victim(repo=repo, calendar=calendar, manual=manual)


@pytest.fixture
def intruder(db: Database, keystore: KeyringKeyStore) -> AccountRepository:
    return db.repository(db.create_account(), keystore)


def _snapshot(repo: AccountRepository, ids: list[int]) -> object:
    sessions = repo.sessions_between(DAY - FAR, DAY + FAR)
    return (
        [(s.id, s) for s in sessions],
        [repo.get(i) for i in ids],
        repo.fired_reminders(ids),
        repo.get_setting("shared-key"),
        repo.feed_url(),
        repo.all_sessions(),
        repo.stored_span(),
        repo.feed_connected(),
        repo.service_link(),
        repo.entitlement(),
        repo.preferences(),
    )


Attack = Callable[[AccountRepository, Victim], object]

# Every repository method, aimed by account B at account A's data. Each returns what B got back
# (for reads) and must neither reveal nor change anything of A's.
ATTACKS: dict[str, Attack] = {
    "sessions_between": lambda b, a: b.sessions_between(DAY - FAR, DAY + FAR),
    "get": lambda b, a: [b.get(i) for i in a.ids],
    "add": lambda b, a: b.add(_session("Intruder", 9)),
    "update": lambda b, a: b.update(a.calendar.with_changes(client_name="Hijacked")),
    "delete": lambda b, a: b.delete(a.ids[0]),
    "fired_reminders": lambda b, a: b.fired_reminders(a.ids),
    "mark_reminders_fired": lambda b, a: b.mark_reminders_fired([(a.ids[0], 0)]),
    "get_setting": lambda b, a: b.get_setting("shared-key"),
    "set_setting": lambda b, a: b.set_setting("shared-key", {"owner": "B"}),
    "set_feed_url": lambda b, a: b.set_feed_url("https://calendar.test/intruder.ics"),
    "feed_url": lambda b, a: b.feed_url(),
    "disconnect_feed": lambda b, a: b.disconnect_feed(),
    "apply_sync-update": lambda b, a: b.apply_sync(
        add=[], update=[a.calendar.with_changes(client_name="Hijacked")], remove_ids=[]
    ),
    "apply_sync-remove": lambda b, a: b.apply_sync(add=[], update=[], remove_ids=a.ids[:1]),
    "apply_sync-add": lambda b, a: b.apply_sync(
        add=[_session("Intruder", 9)], update=[], remove_ids=[]
    ),
    "purge_before": lambda b, a: b.purge_before(DAY + FAR),
    "all_sessions": lambda b, a: b.all_sessions(),
    "stored_span": lambda b, a: b.stored_span(),
    "feed_connected": lambda b, a: b.feed_connected(),
    "service_link": lambda b, a: b.service_link(),
    "entitlement": lambda b, a: b.entitlement(),
    "save_entitlement": lambda b, a: b.save_entitlement(CHECK),
    "link_service": lambda b, a: b.link_service(ServiceLink("https://service.test", "b@x.org")),
    "preferences": lambda b, a: b.preferences(),
    "save_preferences": lambda b, a: b.save_preferences(Preferences(start_at_login=False)),
    "watch_changes": lambda b, a: b.watch_changes(None),
}

# What B must get back when it reads, or the error it must get when it writes A's rows.
EXPECTED: dict[str, object] = {
    "sessions_between": (),
    "get": [None, None],
    "fired_reminders": frozenset(),
    "get_setting": None,
    "feed_url": None,
    "purge_before": 0,
    "all_sessions": (),
    "stored_span": StoredSpan(0, None, None),
    "feed_connected": False,
    "service_link": None,
    "entitlement": None,
    "preferences": Preferences(),
}
REFUSED = {
    "update",
    "delete",
    "mark_reminders_fired",
    "apply_sync-update",
    "apply_sync-remove",
    "save_entitlement",
}


def test_every_repository_method_is_covered() -> None:
    public = {
        name
        for name in dir(AccountRepository)
        if not name.startswith("_") and callable(getattr(AccountRepository, name))
    }
    covered = {name.split("-")[0] for name in ATTACKS}
    assert public == covered


@pytest.mark.parametrize("method", list(ATTACKS))
def test_one_account_cannot_see_or_change_another(
    victim: Victim, intruder: AccountRepository, method: str
) -> None:
    before = _snapshot(victim.repo, victim.ids)
    if method in REFUSED:
        with pytest.raises(NotFoundError):
            ATTACKS[method](intruder, victim)
    else:
        result = ATTACKS[method](intruder, victim)
        if method in EXPECTED:
            assert result == EXPECTED[method]
    assert _snapshot(victim.repo, victim.ids) == before


def test_each_account_still_sees_its_own_rows(victim: Victim, intruder: AccountRepository) -> None:
    mine = intruder.add(_session("Intruder", 9))
    intruder.set_setting("shared-key", {"owner": "B"})
    assert [s.id for s in intruder.sessions_between(DAY - FAR, DAY + FAR)] == [mine.id]
    assert intruder.get_setting("shared-key") == {"owner": "B"}
    assert victim.repo.get_setting("shared-key") == {"owner": "A"}
    assert [s.client_name for s in victim.repo.sessions_between(DAY - FAR, DAY + FAR)] == [
        "Alice Victim",
        "Bob Victim",
    ]


def test_a_sealed_name_copied_into_another_accounts_row_does_not_open(
    db: Database, victim: Victim, intruder: AccountRepository
) -> None:
    mine = intruder.add(_session("Intruder", 9))
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE sessions SET client_name_sealed = "
                "(SELECT client_name_sealed FROM sessions WHERE id = :victim) WHERE id = :mine"
            ),
            {"victim": victim.calendar.id, "mine": mine.id},
        )
    with pytest.raises(DecryptionError):
        intruder.get(mine.id or -1)


def test_a_sealed_feed_url_copied_into_another_accounts_row_does_not_open(
    db: Database, victim: Victim, intruder: AccountRepository
) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO feed_sources (account_id, url_sealed) "
                "SELECT :mine, url_sealed FROM feed_sources WHERE account_id = :victim"
            ),
            {"victim": victim.repo.account_id, "mine": intruder.account_id},
        )
    with pytest.raises(DecryptionError):
        intruder.feed_url()


def test_a_repository_for_an_unknown_account_is_refused(
    db: Database, keystore: KeyringKeyStore
) -> None:
    with pytest.raises(NotFoundError):
        db.repository("00000000-0000-4000-8000-000000000000", keystore)


def test_deleting_one_account_leaves_the_other_untouched(
    db: Database, keystore: KeyringKeyStore, victim: Victim, intruder: AccountRepository
) -> None:
    intruder.add(_session("Intruder", 9))
    before = _snapshot(victim.repo, victim.ids)
    db.delete_account(intruder.account_id, keystore)
    assert db.account_ids() == (victim.repo.account_id,)
    assert _snapshot(victim.repo, victim.ids) == before
