"""Two devices' databases syncing through a relay with the service's rules: every change
reaches the other device, edits made apart merge without losing an actual time, duplicates from
before pairing settle the same way on both, and replays are refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from sessionclock.core.clock import FixedClock
from sessionclock.core.devices.cycle import CycleReport, sync_once
from sessionclock.core.devices.keys import AccountKeys
from sessionclock.core.devices.records import (
    DeviceRecord,
    RecordKind,
    Tombstone,
    open_record,
    seal_record,
)
from sessionclock.core.keystore import MemoryKeyStore
from sessionclock.core.models import Session, SessionSource
from sessionclock.core.preferences import (
    DisplayPreferences,
    Preferences,
    SyncPreferences,
    ThemeName,
)
from sessionclock.store import AccountRepository, Database, SyncRecords
from tests.support.relay import Relay

LONDON = ZoneInfo("Europe/London")
DAY = datetime(2026, 11, 10, 9, tzinfo=LONDON)
KEYS = AccountKeys("a" * 32, 1, b"k" * 32, b"r" * 32, b"c" * 32)


@dataclass
class Device:
    """One device's database for the account, its clock, and what it shows."""

    database: Database
    repo: AccountRepository
    records: SyncRecords
    clock: FixedClock

    def sync(self, relay: Relay, keys: AccountKeys = KEYS) -> CycleReport:
        self.clock.advance(timedelta(milliseconds=7))
        return sync_once(relay, self.records, keys)

    def sessions(self) -> list[Session]:
        return list(self.repo.sessions_between(DAY - timedelta(days=400), DAY + timedelta(days=30)))

    def only(self) -> Session:
        [session] = self.sessions()
        return session


def device(folder: Path, offset: timedelta = timedelta(0)) -> Device:
    database = Database.open(folder / "sessionclock.db")
    account = database.create_account()
    keystore = MemoryKeyStore()
    clock = FixedClock(datetime(2026, 11, 10, 8, tzinfo=UTC) + offset)
    return Device(
        database,
        database.repository(account, keystore, clock=clock),
        database.sync_records(account, keystore, clock=clock),
        clock,
    )


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Device, Device, Relay]]:
    a = device(tmp_path / "a")
    b = device(tmp_path / "b", offset=timedelta(seconds=3))
    yield a, b, Relay()
    a.database.close()
    b.database.close()


def booking(name: str = "Ada Lovelace", hour: int = 9, **changes: object) -> Session:
    start = DAY.replace(hour=hour)
    session = Session(name, start, start + timedelta(hours=1))
    return session.with_changes(**changes)


def test_a_change_here_is_versioned_and_waits_to_be_pushed(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, _b, relay = pair
    added = a.repo.add(booking())
    [outgoing] = a.records.outgoing()
    assert outgoing.payload == added and outgoing.expires_at is None
    report = a.sync(relay)
    assert (report.pushed, report.stale, report.tampered) == (1, 0, 0)
    assert a.records.outgoing() == ()
    assert relay.stored(outgoing.record_id).version == str(outgoing.version)


def test_a_change_made_while_pushing_stays_to_be_pushed(pair: tuple[Device, Device, Relay]) -> None:
    a, _b, _relay = pair
    added = a.repo.add(booking())
    [outgoing] = a.records.outgoing()
    a.repo.update(added.with_changes(extra_minutes=5))
    a.records.pushed({outgoing.record_id: str(outgoing.version)})
    [again] = a.records.outgoing()
    assert again.version > outgoing.version
    assert isinstance(again.payload, Session) and again.payload.extra_minutes == 5


def test_a_session_added_on_one_device_appears_on_the_other_under_the_same_id(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    a.repo.add(booking())
    a.sync(relay)
    report = b.sync(relay)
    assert report.received.sessions_changed
    assert b.only() == booking()
    with a.database.engine.connect() as ca, b.database.engine.connect() as cb:
        query = text("SELECT record_id FROM sessions")
        assert ca.execute(query).scalar() == cb.execute(query).scalar()
    assert b.records.outgoing() == ()


def test_start_on_the_tablet_shows_on_the_computer(pair: tuple[Device, Device, Relay]) -> None:
    a, b, relay = pair
    a.repo.add(booking())
    a.sync(relay)
    b.sync(relay)
    started = b.only().with_changes(actual_start=DAY + timedelta(minutes=1))
    b.repo.update(started)
    b.sync(relay)
    assert a.sync(relay).received.sessions_changed
    assert a.only().actual_start == DAY + timedelta(minutes=1)


def test_edits_made_apart_merge_with_no_actual_time_lost(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    a.repo.add(booking())
    a.sync(relay)
    b.sync(relay)
    # Offline: the desk renames the session and extends it; the tablet starts and ends it.
    a.repo.update(a.only().with_changes(client_name="Ada L.", extra_minutes=5))
    b.repo.update(
        b.only().with_changes(
            actual_start=DAY + timedelta(minutes=2), actual_end=DAY + timedelta(minutes=58)
        )
    )
    b.clock.advance(timedelta(minutes=1))  # the tablet's change is the later one
    for first, second in ((a, b), (b, a), (a, b), (b, a)):
        first.sync(relay)
        second.sync(relay)
    # The tablet's change is the last writer, so its name stands; the desk's extra minutes and
    # the tablet's actual times are all kept.
    expected = booking(
        extra_minutes=5,
        actual_start=DAY + timedelta(minutes=2),
        actual_end=DAY + timedelta(minutes=58),
    )
    assert a.only() == expected == b.only()
    assert a.records.outgoing() == () == b.records.outgoing()


def test_a_deletion_reaches_the_other_device_and_its_tombstone_expires(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    added = a.repo.add(booking(actual_start=DAY))
    a.sync(relay)
    b.sync(relay)
    assert added.id is not None
    a.repo.delete(added.id)
    [outgoing] = a.records.outgoing()
    assert outgoing.payload == Tombstone(RecordKind.SESSION, actual_start=DAY)
    assert outgoing.expires_at == datetime(2026, 12, 11, tzinfo=UTC)
    a.sync(relay)
    assert b.sync(relay).received.sessions_changed
    assert b.sessions() == []


def test_old_sessions_purged_by_the_retention_leave_tombstones_that_are_forgotten_later(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    a.repo.add(booking())
    a.sync(relay)
    b.sync(relay)
    assert a.repo.purge_before(DAY + timedelta(days=1)) == 1
    a.sync(relay)
    b.sync(relay)
    assert b.sessions() == []
    a.repo.purge_before(DAY + timedelta(days=60))
    with a.database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM sync_records")).scalar() == 0


def test_the_calendar_connected_on_one_is_connected_on_the_other(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    a.repo.set_feed_url("https://clinic.example/ical/secret.ics")
    a.repo.save_preferences(Preferences(sync=SyncPreferences(window_days=30, retention_days=90)))
    a.sync(relay)
    report = b.sync(relay)
    assert report.received.calendar_changed
    assert b.repo.feed_url() == "https://clinic.example/ical/secret.ics"
    assert b.repo.preferences().sync == SyncPreferences(window_days=30, retention_days=90)
    a.repo.disconnect_feed()
    a.sync(relay)
    b.sync(relay)
    assert b.repo.feed_url() is None


def test_shared_preferences_follow_but_start_at_login_stays_per_computer(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    b.repo.save_preferences(Preferences(start_at_login=True))
    assert b.records.outgoing() == ()  # nothing that follows the practitioner changed
    a.repo.save_preferences(
        Preferences(display=DisplayPreferences(theme=ThemeName.NIGHT), start_at_login=False)
    )
    a.sync(relay)
    assert b.sync(relay).received.preferences_changed
    assert b.repo.preferences().display.theme is ThemeName.NIGHT
    assert b.repo.preferences().start_at_login is True


def test_a_joining_devices_own_defaults_do_not_override_the_accounts(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    a.repo.save_preferences(Preferences(display=DisplayPreferences(theme=ThemeName.NIGHT)))
    a.repo.set_feed_url("https://clinic.example/a.ics")
    a.sync(relay)
    # The tablet had its own calendar and settings before it was paired.
    b.clock.advance(timedelta(hours=1))
    b.repo.set_feed_url("https://clinic.example/b.ics")
    b.repo.save_preferences(Preferences(display=DisplayPreferences(theme=ThemeName.HIGH_CONTRAST)))
    with b.database.engine.begin() as connection:
        connection.execute(text("UPDATE sync_records SET version = ''"))  # from before syncing
    b.records.join()
    b.sync(relay)
    a.sync(relay)
    for each in (a, b):
        assert each.repo.feed_url() == "https://clinic.example/a.ics"
        assert each.repo.preferences().display.theme is ThemeName.NIGHT


def test_two_calendars_connected_apart_settle_on_the_newer_on_both(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    a.repo.set_feed_url("https://clinic.example/old.ics")
    b.clock.advance(timedelta(minutes=5))
    b.repo.set_feed_url("https://clinic.example/new.ics")
    for first, second in ((a, b), (b, a), (a, b)):
        first.sync(relay)
        second.sync(relay)
    assert a.repo.feed_url() == "https://clinic.example/new.ics" == b.repo.feed_url()
    assert a.records.outgoing() == () == b.records.outgoing()


def test_a_booking_imported_on_both_before_pairing_is_kept_once_with_every_actual_time(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    imported = booking(source=SessionSource.CALENDAR)
    a.repo.apply_sync(add=[imported], update=[], remove_ids=[])
    b.repo.apply_sync(
        add=[imported.with_changes(actual_start=DAY + timedelta(minutes=1))],
        update=[],
        remove_ids=[],
    )
    for first, second in ((a, b), (b, a), (a, b)):
        first.sync(relay)
        second.sync(relay)
    expected = imported.with_changes(actual_start=DAY + timedelta(minutes=1))
    assert a.sessions() == [expected] == b.sessions()


def test_two_sessions_added_by_hand_alike_are_both_kept(pair: tuple[Device, Device, Relay]) -> None:
    a, b, relay = pair
    a.repo.add(booking())
    b.repo.add(booking())
    for first, second in ((a, b), (b, a)):
        first.sync(relay)
        second.sync(relay)
    assert len(a.sessions()) == 2 == len(b.sessions())


def test_an_old_version_replayed_by_the_service_is_refused_and_reported(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    added = a.repo.add(booking())
    a.sync(relay)
    b.sync(relay)
    [record_id] = list(relay.records)
    old = relay.stored(record_id)
    a.repo.update(a.only().with_changes(actual_start=DAY))
    a.sync(relay)
    b.sync(relay)
    relay.overwrite(old)
    report = b.sync(relay)
    assert report.tampered == 1 and report.received.replays == 1
    assert b.only().actual_start == DAY
    assert added.id is not None


def test_a_flipped_or_moved_record_is_refused_and_the_cursor_moves_past_it(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    a.repo.add(booking())
    a.sync(relay)
    [record_id] = list(relay.records)
    stored = relay.stored(record_id)
    flipped = (
        bytes([stored.ciphertext[0]]) + bytes([stored.ciphertext[1] ^ 1]) + stored.ciphertext[2:]
    )
    relay.overwrite(replace(stored, ciphertext=flipped))
    report = b.sync(relay)
    assert report.tampered == 1 and b.sessions() == []
    other_account = replace(KEYS, account="b" * 32)
    moved = seal_record(
        record_id, open_record(stored, keys=KEYS).version, booking(), keys=other_account
    )
    relay.overwrite(moved)
    assert b.sync(relay).tampered == 1 and b.sessions() == []
    assert b.sync(relay).tampered == 0


def test_a_record_of_a_newer_epoch_stops_the_pull_until_the_key_is_fetched(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, b, relay = pair
    newer = replace(KEYS, epoch=2, data_key=b"n" * 32)
    a.repo.add(booking())
    relay.epoch = 2
    a.sync(relay, newer)
    report = b.sync(relay)
    assert report.new_epoch and b.sessions() == []
    assert b.sync(relay, newer).received.sessions_changed
    assert b.only() == booking()


def test_after_a_rotation_every_record_is_pushed_again_in_the_new_epoch(
    pair: tuple[Device, Device, Relay],
) -> None:
    a, _b, relay = pair
    a.repo.add(booking())
    a.repo.set_feed_url("https://clinic.example/a.ics")
    a.sync(relay)
    newer = replace(KEYS, epoch=2, data_key=b"n" * 32)
    relay.epoch = 2
    a.records.start_reseal(2)
    report = a.sync(relay, newer)
    assert report.pushed == len(relay.records) == 2
    assert {r.record.epoch for r in relay.records.values()} == {2}
    assert a.records.state().reseal_epoch is None
    assert a.sync(relay, newer).pushed == 0


def test_devices_let_in_are_recorded_and_removed(pair: tuple[Device, Device, Relay]) -> None:
    a, b, relay = pair
    tablet = DeviceRecord("d2", b"p" * 32, "Room tablet")
    a.records.add_device(tablet)
    a.sync(relay)
    assert b.sync(relay).received.devices_changed
    assert b.records.devices() == (tablet,)
    b.records.remove_device("d2")
    b.sync(relay)
    a.sync(relay)
    assert a.records.devices() == ()


OPS = st.lists(
    st.tuples(
        st.sampled_from(["start", "end", "extend", "rename", "sync"]), st.sampled_from([0, 1])
    ),
    max_size=14,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(OPS)
def test_any_interleaving_of_edits_and_syncs_converges_without_losing_actual_times(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]]
) -> None:
    folder = tmp_path_factory.mktemp("devices")
    devices = [device(folder / "a"), device(folder / "b", offset=timedelta(seconds=1))]
    relay = Relay()
    try:
        devices[0].repo.add(booking())
        devices[0].sync(relay)
        devices[1].sync(relay)
        starts, ends = [], []
        for op, index in ops:
            one = devices[index]
            one.clock.advance(timedelta(seconds=13))
            session = one.only()
            moment = one.clock.now()
            if op == "sync":
                one.sync(relay)
            elif op == "start":
                one.repo.update(session.with_changes(actual_start=moment))
                starts.append(moment)
            elif op == "end":
                one.repo.update(session.with_changes(actual_end=moment))
                ends.append(moment)
            elif op == "extend":
                one.repo.update(session.with_changes(extra_minutes=session.extra_minutes + 5))
            else:
                one.repo.update(session.with_changes(client_name=f"Name {len(ops)} {index}"))
        for _ in range(2):
            for one in devices:
                one.sync(relay)
        first, second = devices[0].only(), devices[1].only()
        assert first == second
        if starts:
            assert first.actual_start is not None
        if ends:
            assert first.actual_end is not None
    finally:
        for one in devices:
            one.database.close()


def test_push_results_for_a_full_page_are_all_applied(pair: tuple[Device, Device, Relay]) -> None:
    a, b, relay = pair
    a.repo.apply_sync(
        add=[
            booking(f"Client {i}", hour=9).with_changes(
                start=DAY + timedelta(days=i % 20, minutes=i),
                end=DAY + timedelta(days=i % 20, minutes=i + 50),
            )
            for i in range(1203)
        ],
        update=[],
        remove_ids=[],
    )
    assert a.sync(relay).pushed == 1203
    assert b.sync(relay).received.sessions_changed
    assert len(b.sessions()) == 1203
