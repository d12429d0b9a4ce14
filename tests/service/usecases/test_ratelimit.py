"""The limiter's events on both databases: quotas, growing waits, keys without addresses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sessionclock_service.db.engine import Database
from sessionclock_service.db.models import RateEvent
from sessionclock_service.usecases.ratelimit import Limiter, RateLimitedError, Rule
from tests.support.service import settings_from

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(clean_database: str) -> Iterator[Database]:
    """The service's database, emptied."""
    database = Database.connect(clean_database)
    yield database
    database.dispose()


@pytest.fixture
def limiter() -> Limiter:
    """A limiter with the default allowances and a test secret."""
    return Limiter(settings=settings_from(secret_key="k" * 40))


def _events(db: Database, key: str, *times: datetime) -> None:
    with db.write() as session:
        session.add_all(RateEvent(key=key, at=at) for at in times)


def test_a_quota_waits_until_its_oldest_counted_event_leaves(
    db: Database, limiter: Limiter
) -> None:
    rule = Rule(key="work:x", free=3, window=timedelta(minutes=1))
    _events(db, rule.key, NOW - timedelta(seconds=50), NOW - timedelta(seconds=20), NOW)
    with db.read() as session:
        assert limiter.wait(session, rule, now=NOW) == 10  # the event 50 s old leaves in 10 s
        assert limiter.wait(session, rule, now=NOW + timedelta(seconds=10)) == 0
        wider = Rule(key="work:x", free=4, window=timedelta(minutes=1))
        assert limiter.wait(session, wider, now=NOW) == 0


def test_a_failure_allowance_waits_30_seconds_then_doubles_up_to_its_cap(
    db: Database, limiter: Limiter
) -> None:
    rule = Rule(key="fail:x", free=2, window=timedelta(hours=1), cap=timedelta(seconds=100))
    waits = []
    for _ in range(5):
        _events(db, rule.key, NOW)
        with db.read() as session:
            waits.append(limiter.wait(session, rule, now=NOW))
    assert waits == [0, 30, 60, 100, 100]


def test_check_refuses_with_the_longest_wait(db: Database, limiter: Limiter) -> None:
    short = Rule(key="a", free=1, window=timedelta(minutes=1))
    long = Rule(key="b", free=1, window=timedelta(hours=1))
    _events(db, "a", NOW - timedelta(seconds=30))
    _events(db, "b", NOW - timedelta(minutes=10))
    with db.read() as session, pytest.raises(RateLimitedError) as refused:
        limiter.check(session, [short, long], now=NOW)
    assert refused.value.retry_after == 3000
    assert refused.value.response_headers == {"Retry-After": "3000"}


def test_keys_hold_keyed_hashes_never_addresses(limiter: Limiter) -> None:
    attempt = limiter.password_attempt(
        door="customer", email="ann@example.org", address="203.0.113.7"
    )
    keys = [attempt.pair, attempt.address, attempt.account, attempt.known]
    assert all("ann" not in k and "203.0" not in k and len(k) <= 160 for k in keys)
    other = Limiter(settings=settings_from(secret_key="z" * 40))
    assert other.subject("ann@example.org") != limiter.subject("ann@example.org")
    staff = limiter.password_attempt(door="staff", email="ann@example.org", address="203.0.113.7")
    assert staff.account != attempt.account  # each door counts its own failures


def test_purge_keeps_what_still_counts(db: Database, limiter: Limiter) -> None:
    _events(db, "work:a", NOW - timedelta(minutes=2), NOW - timedelta(seconds=30))
    _events(db, "fail:a", NOW - timedelta(minutes=20), NOW - timedelta(minutes=10))
    _events(db, "known:a", NOW - timedelta(days=31), NOW - timedelta(days=29))
    _events(db, "mail:a", NOW - timedelta(hours=25), NOW - timedelta(hours=23))
    with db.write() as session:
        limiter.purge(session, now=NOW)
    with db.read() as session:
        kept = sorted(
            (key, NOW - at.replace(tzinfo=UTC))
            for key, at in session.execute(select(RateEvent.key, RateEvent.at))
        )
    assert kept == [
        ("fail:a", timedelta(minutes=10)),
        ("known:a", timedelta(days=29)),
        ("mail:a", timedelta(hours=23)),
        ("work:a", timedelta(seconds=30)),
    ]


def test_scrub_drops_every_event_of_an_address(db: Database, limiter: Limiter) -> None:
    attempt = limiter.password_attempt(
        door="customer", email="ann@example.org", address="192.0.2.1"
    )
    other = limiter.password_attempt(door="customer", email="bob@example.org", address="192.0.2.1")
    _events(db, attempt.pair, NOW)
    _events(db, attempt.account, NOW)
    _events(db, attempt.known, NOW)
    _events(db, other.account, NOW)
    with db.write() as session:
        limiter.scrub(session, email="ann@example.org")
    with db.read() as session:
        assert session.scalars(select(RateEvent.key)).all() == [other.account]
