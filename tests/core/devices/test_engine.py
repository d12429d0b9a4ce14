"""What a pulled record does to this device's copy: stored, kept, merged into a new change, or
refused as a replay; and how duplicates from devices that worked apart are settled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessionclock.core.devices.engine import (
    Decision,
    LocalRecord,
    Outcome,
    booking_key,
    decide,
    duplicate_bookings,
    expiry,
    newer_singleton,
    tombstone_of,
)
from sessionclock.core.devices.hlc import Hlc
from sessionclock.core.devices.records import (
    CalendarRecord,
    DeviceRecord,
    OpenedRecord,
    RecordKind,
    Tombstone,
    new_record_id,
)
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import SyncPreferences

START = datetime(2026, 11, 10, 9, tzinfo=UTC)
A, B = "a" * 16, "b" * 16
BOOKED = Session("Ada", START, START + timedelta(hours=1), source=SessionSource.CALENDAR)
RID = "3f1e4c52-8a7b-4c1d-9e2f-0a1b2c3d4e5f"


def local(version: Hlc | None, *, synced: Hlc | None, dirty: bool, payload=BOOKED) -> LocalRecord:  # type: ignore[no-untyped-def]
    return LocalRecord(RID, version, synced, dirty, payload)


def incoming(version: Hlc, payload=BOOKED) -> OpenedRecord:  # type: ignore[no-untyped-def]
    return OpenedRecord(RID, version, 1, payload)


def test_a_record_never_seen_is_stored_as_it_came() -> None:
    record = incoming(Hlc(5, 0, B))
    assert decide(None, record) == Decision(Outcome.STORE, BOOKED, Hlc(5, 0, B))


def test_an_older_version_than_one_had_from_the_service_is_a_replay() -> None:
    mine = local(Hlc(9, 0, A), synced=Hlc(9, 0, A), dirty=False)
    assert decide(mine, incoming(Hlc(8, 0, B))).outcome is Outcome.REPLAY


@pytest.mark.parametrize("version", [Hlc(9, 0, A), Hlc(7, 0, A)])
def test_the_version_already_held_changes_nothing(version: Hlc) -> None:
    mine = local(Hlc(9, 0, A), synced=Hlc(7, 0, A), dirty=True)
    assert decide(mine, incoming(version)).outcome is Outcome.KEEP


def test_a_newer_version_replaces_a_clean_copy() -> None:
    mine = local(Hlc(5, 0, A), synced=Hlc(5, 0, A), dirty=False)
    renamed = BOOKED.with_changes(client_name="Ada L.")
    assert decide(mine, incoming(Hlc(6, 0, B), renamed)) == Decision(
        Outcome.STORE, renamed, Hlc(6, 0, B)
    )


def test_a_local_start_not_yet_pushed_survives_a_newer_rename() -> None:
    started = BOOKED.with_changes(actual_start=START)
    mine = local(Hlc(5, 0, A), synced=Hlc(4, 0, A), dirty=True, payload=started)
    renamed = BOOKED.with_changes(client_name="Ada L.")
    decision = decide(mine, incoming(Hlc(6, 0, B), renamed))
    assert decision == Decision(
        Outcome.STORE, renamed.with_changes(actual_start=START), None, dirty=True
    )


def test_an_older_concurrent_change_carries_its_actual_time_into_the_newer_local_one() -> None:
    renamed = BOOKED.with_changes(client_name="Ada L.")
    mine = local(Hlc(7, 0, A), synced=Hlc(4, 0, A), dirty=True, payload=renamed)
    decision = decide(mine, incoming(Hlc(6, 0, B), BOOKED.with_changes(actual_start=START)))
    assert decision.outcome is Outcome.STORE and decision.dirty and decision.version is None
    assert decision.payload == renamed.with_changes(actual_start=START)


def test_an_older_concurrent_change_with_nothing_new_leaves_the_local_one() -> None:
    renamed = BOOKED.with_changes(client_name="Ada L.")
    mine = local(Hlc(7, 0, A), synced=Hlc(4, 0, A), dirty=True, payload=renamed)
    assert decide(mine, incoming(Hlc(6, 0, B))).outcome is Outcome.KEEP


def test_a_record_from_before_syncing_counts_as_older_than_any_version() -> None:
    started = BOOKED.with_changes(actual_start=START)
    mine = local(None, synced=None, dirty=True, payload=started)
    decision = decide(mine, incoming(Hlc(1, 0, B)))
    assert decision == Decision(Outcome.STORE, started, None, dirty=True)
    assert decide(local(None, synced=None, dirty=True), incoming(Hlc(1, 0, B))) == Decision(
        Outcome.STORE, BOOKED, Hlc(1, 0, B)
    )


@settings(deadline=None)
@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20), st.booleans())
def test_a_decision_never_drops_an_actual_time(
    mine_at: int, synced_at: int, theirs_at: int, dirty: bool
) -> None:
    mine = local(
        Hlc(max(mine_at, synced_at), 0, A),
        synced=Hlc(synced_at, 0, A),
        dirty=dirty,
        payload=BOOKED.with_changes(actual_start=START),
    )
    decision = decide(mine, incoming(Hlc(theirs_at, 1, B), BOOKED.with_changes(extra_minutes=5)))
    if decision.outcome is Outcome.STORE:
        assert isinstance(decision.payload, Session)
        assert decision.payload.actual_start == START


def test_the_newer_singleton_wins_and_ties_break_on_the_id() -> None:
    calendar = CalendarRecord("https://x.example/a.ics", SyncPreferences())
    mine = LocalRecord("b" + RID[1:], Hlc(5, 0, A), Hlc(5, 0, A), False, calendar)
    assert newer_singleton(mine, OpenedRecord(RID, Hlc(6, 0, B), 1, calendar))
    assert not newer_singleton(mine, OpenedRecord(RID, Hlc(4, 0, B), 1, calendar))
    same = Hlc(5, 0, A)
    assert not newer_singleton(mine, OpenedRecord("a" + RID[1:], same, 1, calendar))
    assert newer_singleton(mine, OpenedRecord("c" + RID[1:], same, 1, calendar))
    unstamped = LocalRecord(RID, None, None, True, calendar)
    assert newer_singleton(unstamped, OpenedRecord(RID, Hlc(0, 0, B), 1, calendar))


def test_the_same_booking_imported_twice_keeps_the_smallest_id() -> None:
    ids = sorted(new_record_id() for _ in range(3))
    manual = BOOKED.with_changes(source=SessionSource.MANUAL)
    other_time = BOOKED.with_changes(
        start=START + timedelta(hours=1), end=START + timedelta(hours=2)
    )
    groups = duplicate_bookings(
        [
            (ids[2], BOOKED),
            (ids[0], BOOKED.with_changes(start=BOOKED.start.astimezone(UTC))),
            (ids[1], other_time),
            (new_record_id(), manual),
            (new_record_id(), manual),
        ]
    )
    assert groups == [(ids[0], [ids[2]])]
    assert booking_key(manual) is None


def test_a_tombstone_keeps_a_sessions_actual_times_only() -> None:
    started = BOOKED.with_changes(actual_start=START, extra_minutes=5)
    assert tombstone_of(started) == Tombstone(
        RecordKind.SESSION, actual_start=START, extra_minutes=5
    )
    assert tombstone_of(DeviceRecord("d", b"p" * 32, "x")) == Tombstone(RecordKind.DEVICE)
    gone = Tombstone(RecordKind.CALENDAR)
    assert tombstone_of(gone) is gone


def test_a_tombstone_expires_after_the_retention_on_a_day_boundary() -> None:
    deleted = datetime(2026, 11, 10, 15, 42, tzinfo=UTC)
    assert expiry(deleted, 30) == datetime(2026, 12, 11, tzinfo=UTC)
