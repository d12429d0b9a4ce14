"""Tests for what one account's repository does with its own data."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from sessionclock.core.errors import ManualSessionError, NotFoundError
from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.core.models import Session, SessionSource
from sessionclock.store import AccountRepository, Database

CAL = SessionSource.CALENDAR
DAY = datetime(2026, 5, 4, tzinfo=ZoneInfo("Europe/Berlin"))


def at(hour: int, minute: int = 0, *, day: datetime = DAY) -> datetime:
    """Return *day* at hour:minute, local wall time in *day*'s zone."""
    return day.replace(hour=hour, minute=minute)


def make_session(
    name: str, start: datetime, minutes: int = 60, *, source: SessionSource = SessionSource.MANUAL
) -> Session:
    """Return an unsaved session of *minutes* starting at *start*."""
    return Session(
        client_name=name, start=start, end=start + timedelta(minutes=minutes), source=source
    )


def test_add_returns_the_session_with_an_id_and_get_reads_it_back(
    repo: AccountRepository,
) -> None:
    session = make_session("Ada", at(9)).with_changes(
        actual_start=at(9, 3), actual_end=at(9, 58), extra_minutes=5
    )
    saved = repo.add(session)
    assert saved.id is not None
    assert saved == session
    loaded = repo.get(saved.id)
    assert loaded == session
    assert loaded is not None
    assert (loaded.id, loaded.client_name, loaded.extra_minutes) == (saved.id, "Ada", 5)
    assert repo.get(saved.id + 1000) is None


def test_add_refuses_a_session_that_already_has_an_id(repo: AccountRepository) -> None:
    saved = repo.add(make_session("Ada", at(9)))
    with pytest.raises(ValueError, match="update"):
        repo.add(saved)


def test_ids_are_never_reused(repo: AccountRepository) -> None:
    first = repo.add(make_session("Ada", at(9)))
    assert first.id is not None
    repo.delete(first.id)
    second = repo.add(make_session("Ben", at(9)))
    assert second.id != first.id


def test_sessions_between_returns_overlapping_sessions_sorted_by_start_then_id(
    repo: AccountRepository,
) -> None:
    late = repo.add(make_session("Late", at(15)))
    twin_b = repo.add(make_session("Twin B", at(10)))
    twin_a = repo.add(make_session("Twin A", at(10)))
    early = repo.add(make_session("Early", at(8)))
    before = repo.add(make_session("Yesterday", at(8, day=DAY - timedelta(days=1))))
    got = repo.sessions_between(at(8, 30), at(15))
    # [start, end): "Early" (8:00-9:00) overlaps 8:30; "Late" starts exactly at the end.
    assert [s.id for s in got] == [early.id, twin_b.id, twin_a.id]
    assert late.id not in [s.id for s in got]
    assert before.id not in [s.id for s in repo.sessions_between(at(0), at(23))]


def test_sessions_between_accepts_bounds_in_any_zone(repo: AccountRepository) -> None:
    saved = repo.add(make_session("Ada", at(9)))  # 07:00 UTC
    assert [s.id for s in repo.sessions_between(at(9).astimezone(UTC), at(9, 1))] == [saved.id]
    assert repo.sessions_between(datetime(2026, 5, 4, 8, tzinfo=UTC), at(11)) == ()


def test_a_session_crossing_midnight_belongs_to_both_days(repo: AccountRepository) -> None:
    night = repo.add(make_session("Night", at(23, 30), minutes=90))
    next_day = DAY + timedelta(days=1)
    assert [s.id for s in repo.sessions_between(at(0), at(0, day=next_day))] == [night.id]
    assert [s.id for s in repo.sessions_between(at(0, day=next_day), at(23, day=next_day))] == [
        night.id
    ]


def test_update_replaces_every_field(repo: AccountRepository) -> None:
    saved = repo.add(make_session("Ada", at(9)))
    changed = saved.with_changes(
        client_name="Ada L.",
        start=at(10),
        end=at(11, 30),
        source=CAL,
        actual_start=at(10, 2),
        extra_minutes=10,
    )
    assert repo.update(changed) is changed
    assert repo.get(changed.id or -1) == changed


def test_update_and_delete_of_an_unknown_id_raise_not_found(repo: AccountRepository) -> None:
    ghost = make_session("Ghost", at(9)).with_changes(id=4242)
    with pytest.raises(NotFoundError):
        repo.update(ghost)
    with pytest.raises(NotFoundError):
        repo.delete(4242)
    with pytest.raises(NotFoundError):
        repo.update(make_session("Unsaved", at(9)))


def test_delete_removes_the_session_and_its_reminders(
    repo: AccountRepository, db: Database
) -> None:
    saved = repo.add(make_session("Ada", at(9)))
    assert saved.id is not None
    repo.mark_reminders_fired([(saved.id, 10), (saved.id, 5)])
    repo.delete(saved.id)
    assert repo.get(saved.id) is None
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM fired_reminders")).scalar() == 0


def test_reminders_are_marked_once_and_read_back(repo: AccountRepository) -> None:
    a = repo.add(make_session("Ada", at(9)))
    b = repo.add(make_session("Ben", at(10)))
    assert a.id is not None and b.id is not None
    assert repo.fired_reminders([a.id, b.id]) == frozenset()
    repo.mark_reminders_fired([(a.id, 10), (a.id, 10), (b.id, 0)])
    repo.mark_reminders_fired([(a.id, 10), (a.id, 5)])  # marking again is harmless
    repo.mark_reminders_fired([])
    assert repo.fired_reminders([a.id, b.id]) == {(a.id, 10), (a.id, 5), (b.id, 0)}
    assert repo.fired_reminders(iter([a.id])) == {(a.id, 10), (a.id, 5)}
    assert repo.fired_reminders([]) == frozenset()


def test_marking_a_reminder_of_an_unknown_session_marks_nothing(repo: AccountRepository) -> None:
    a = repo.add(make_session("Ada", at(9)))
    assert a.id is not None
    with pytest.raises(NotFoundError):
        repo.mark_reminders_fired([(a.id, 10), (a.id + 99, 10)])
    assert repo.fired_reminders([a.id]) == frozenset()


def test_fired_reminders_survive_reopening(
    db: Database, db_path: Path, keystore: KeyringKeyStore, repo: AccountRepository
) -> None:
    a = repo.add(make_session("Ada", at(9)))
    assert a.id is not None
    repo.mark_reminders_fired([(a.id, 5)])
    db.close()
    reopened = Database.open(db_path)
    try:
        again = reopened.repository(repo.account_id, keystore)
        assert again.fired_reminders([a.id]) == {(a.id, 5)}
        assert again.get(a.id) == a
    finally:
        reopened.close()


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -3, 2.5, "", "text ✓", [1, "a", None], {"a": {"b": [1.5, False]}}],
    ids=repr,
)
def test_settings_round_trip_json_values(repo: AccountRepository, value: Any) -> None:
    repo.set_setting("k", value)
    assert repo.get_setting("k") == value


def test_settings_are_replaced_and_missing_ones_are_none(repo: AccountRepository) -> None:
    assert repo.get_setting("wrap_up_minutes") is None
    repo.set_setting("wrap_up_minutes", 5)
    repo.set_setting("wrap_up_minutes", 7)
    assert repo.get_setting("wrap_up_minutes") == 7


def test_settings_refuse_values_json_cannot_hold(repo: AccountRepository) -> None:
    with pytest.raises(ValueError, match="JSON"):
        repo.set_setting("k", float("nan"))
    assert repo.get_setting("k") is None


def test_feed_url_is_stored_replaced_and_disconnected(repo: AccountRepository) -> None:
    assert repo.feed_url() is None
    repo.set_feed_url("https://example.test/one.ics")
    repo.set_feed_url("https://example.test/two.ics")
    assert repo.feed_url() == "https://example.test/two.ics"
    repo.disconnect_feed()
    assert repo.feed_url() is None
    repo.disconnect_feed()  # disconnecting twice is harmless
    assert repo.feed_url() is None


def test_apply_sync_adds_updates_and_removes_together(repo: AccountRepository) -> None:
    keep = repo.add(make_session("Manual", at(8)))
    moved = repo.add(make_session("Moved", at(9), source=CAL))
    gone = repo.add(make_session("Gone", at(10), source=CAL))
    assert gone.id is not None
    repo.mark_reminders_fired([(gone.id, 10)])
    new = make_session("New", at(14), source=CAL)
    repo.apply_sync(
        add=[new], update=[moved.with_changes(start=at(12), end=at(13))], remove_ids=[gone.id]
    )
    names = [(s.client_name, s.start) for s in repo.sessions_between(at(0), at(23))]
    assert names == [("Manual", at(8)), ("Moved", at(12)), ("New", at(14))]
    assert repo.get(keep.id or -1) == keep
    assert repo.fired_reminders([gone.id]) == frozenset()


def _state(repo: AccountRepository) -> object:
    sessions = repo.sessions_between(at(0) - timedelta(days=400), at(0) + timedelta(days=400))
    ids = [s.id for s in sessions if s.id is not None]
    return (
        [(s.id, s) for s in sessions],
        repo.fired_reminders(ids),
        repo.get_setting("k"),
        repo.feed_url(),
    )


@pytest.mark.parametrize("failure", ["manual-removal", "unknown-update", "unknown-removal"])
def test_apply_sync_is_all_or_nothing(repo: AccountRepository, failure: str) -> None:
    manual = repo.add(make_session("Manual", at(8)))
    cal = repo.add(make_session("Cal", at(9), source=CAL))
    other = repo.add(make_session("Other", at(11), source=CAL))
    assert manual.id is not None and cal.id is not None and other.id is not None
    repo.mark_reminders_fired([(other.id, 10)])
    before = _state(repo)
    update = [cal.with_changes(start=at(10), end=at(10, 30))]
    remove = [other.id]
    if failure == "manual-removal":
        remove.append(manual.id)
    elif failure == "unknown-update":
        update.append(make_session("Ghost", at(12)).with_changes(id=manual.id + 500))
    else:
        remove.append(manual.id + 500)
    expected = ManualSessionError if failure == "manual-removal" else NotFoundError
    with pytest.raises(expected):
        repo.apply_sync(
            add=[make_session("New", at(15), source=CAL)], update=update, remove_ids=remove
        )
    assert _state(repo) == before


def test_apply_sync_fails_midway_on_a_database_error_and_rolls_back(
    repo: AccountRepository, db: Database
) -> None:
    cal = repo.add(make_session("Cal", at(9), source=CAL))
    before = _state(repo)
    with db.engine.begin() as connection:
        # A database-level failure on the last insert, after the removal and update ran.
        connection.execute(
            text(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON sessions "
                "WHEN NEW.start_zone = 'Asia/Tokyo' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
    poison = make_session("Poison", at(20).astimezone(ZoneInfo("Asia/Tokyo")))
    with pytest.raises(IntegrityError, match="refused"):
        repo.apply_sync(
            add=[make_session("Fine", at(15)), poison],
            update=[cal.with_changes(extra_minutes=5)],
            remove_ids=[],
        )
    assert _state(repo) == before


def test_purge_before_deletes_ended_sessions_and_their_reminders(repo: AccountRepository) -> None:
    old = repo.add(make_session("Old", at(8, day=DAY - timedelta(days=40))))
    edge = repo.add(make_session("Edge", at(9)))  # ends 10:00, exactly at the cutoff
    recent = repo.add(make_session("Recent", at(11)))
    assert old.id is not None
    repo.mark_reminders_fired([(old.id, 5)])
    assert repo.purge_before(at(10)) == 1
    assert repo.get(old.id) is None
    assert repo.fired_reminders([old.id]) == frozenset()
    assert repo.get(edge.id or -1) == edge
    assert repo.get(recent.id or -1) == recent
    assert repo.purge_before(at(10)) == 0


def test_worker_threads_each_with_their_own_repository_can_write_at_once(
    db: Database, keystore: KeyringKeyStore, repo: AccountRepository
) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(4, timeout=10)

    def work(worker: int) -> None:
        own = db.repository(repo.account_id, keystore)
        try:
            barrier.wait()
            for i in range(20):
                saved = own.add(make_session(f"W{worker}-{i}", at(8) + timedelta(minutes=i)))
                assert saved.id is not None
                own.mark_reminders_fired([(saved.id, 5)])
                own.set_setting(f"w{worker}", i)
        except BaseException as exc:  # collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sessions = repo.sessions_between(at(0), at(23))
    assert len(sessions) == 80
    assert len(repo.fired_reminders(s.id for s in sessions if s.id is not None)) == 80
    assert [repo.get_setting(f"w{n}") for n in range(4)] == [19, 19, 19, 19]


def test_moving_a_booking_lets_its_reminders_fire_again_but_extending_does_not(
    repo: AccountRepository,
) -> None:
    start = datetime(2026, 11, 10, 9, tzinfo=UTC)
    session = repo.add(Session("Ann", start, start + timedelta(hours=1)))
    assert session.id is not None
    repo.mark_reminders_fired([(session.id, 10)])
    repo.update(session.with_changes(extra_minutes=5, actual_start=start))
    assert repo.fired_reminders([session.id]) == {(session.id, 10)}
    moved = session.with_changes(start=start + timedelta(hours=2), end=start + timedelta(hours=3))
    repo.apply_sync(add=(), update=(moved,), remove_ids=())
    assert repo.fired_reminders([session.id]) == frozenset()


def test_a_change_watcher_hears_each_write_and_nothing_once_stopped(
    repo: AccountRepository,
) -> None:
    heard: list[str] = []
    repo.watch_changes(lambda: heard.append("changed"))
    session = repo.add(make_session("Ann", at(9)))
    repo.update(session.with_changes(extra_minutes=5))
    repo.sessions_between(DAY, DAY + timedelta(days=1))  # reading is not a change
    assert heard == ["changed", "changed"]
    with pytest.raises(NotFoundError):
        repo.delete(-1)
    assert heard == ["changed", "changed"]  # a refused change changed nothing
    repo.watch_changes(None)
    repo.delete(session.id or -1)
    assert heard == ["changed", "changed"]
