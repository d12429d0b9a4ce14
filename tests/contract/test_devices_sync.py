"""Joining, pairing and syncing between two devices through the real service on loopback
(SQLite and PostgreSQL), with the app's Qt-free core steps: each device has its own database and
key store, and what one writes the other reads only through sealed records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from sessionclock.core.clock import SystemClock
from sessionclock.core.devices.api import Pushing
from sessionclock.core.devices.engine import Outgoing
from sessionclock.core.devices.membership import remove_and_rotate
from sessionclock.core.devices.records import RecordRefusedError, SealedRecord, open_record
from sessionclock.core.errors import SignedOutError
from sessionclock.core.models import Session, SessionSource
from tests.support.devices import (
    Device,
    device,
    pair,
    paired_devices,
    set_up_first,
    signed_up,
)
from tests.support.fake_resend import FakeResend
from tests.support.live_service import RunningService
from tests.support.tamper import flipped, rewrite_record

START = SystemClock(UTC).now().replace(microsecond=0) + timedelta(hours=1)


@pytest.fixture
def two(
    service: RunningService, resend: FakeResend, tmp_path: Path
) -> Iterator[tuple[Device, Device]]:
    """The clinic computer (the account's first device) and the room tablet, paired."""
    with paired_devices(service.base_url, resend, tmp_path) as both:
        yield both


def test_a_session_added_on_one_device_appears_on_the_other(two: tuple[Device, Device]) -> None:
    desk, tablet = two
    added = desk.repository.add(
        Session("Ann Marker", START, START + timedelta(hours=1), source=SessionSource.MANUAL)
    )
    assert desk.sync().pushed >= 1
    report = tablet.sync()
    assert report.received.sessions_changed and report.tampered == 0
    [seen] = tablet.repository.all_sessions()
    assert seen.with_changes(id=None) == added.with_changes(id=None)


def _stored(device: Device, record_id: str) -> SealedRecord:
    page = device.api.pull(token=device.token, since=0)
    [item] = [i for i in page.records if i.record.record_id == record_id]
    return item.record


def _session_record(device: Device) -> str:
    [record_id] = [o.record_id for o in device.records.outgoing(everything=True) if _is_session(o)]
    return record_id


def _is_session(outgoing: Outgoing) -> bool:
    return isinstance(outgoing.payload, Session)


def _add(device: Device, name: str) -> Session:
    return device.repository.add(
        Session(name, START, START + timedelta(hours=1), source=SessionSource.MANUAL)
    )


def test_a_flipped_bit_is_refused_and_never_applied(
    two: tuple[Device, Device], service: RunningService
) -> None:
    desk, tablet = two
    _add(desk, "Flip Marker")
    desk.sync()
    record_id = _session_record(desk)
    stored = _stored(desk, record_id)
    rewrite_record(
        service.database_url,
        account=desk.member.service_account,
        record_id=record_id,
        version=stored.version,
        epoch=stored.epoch,
        ciphertext=flipped(stored.ciphertext),
    )
    report = tablet.sync()
    assert report.refused == 1 and report.tampered == 1
    assert tablet.repository.all_sessions() == ()
    assert tablet.sync().tampered == 0, "refused once; the cursor moved past it"


def test_an_old_version_replayed_is_refused_and_the_newer_one_kept(
    two: tuple[Device, Device], service: RunningService
) -> None:
    desk, tablet = two
    first = _add(desk, "Replay Marker")
    desk.sync()
    tablet.sync()
    record_id = _session_record(desk)
    old = _stored(desk, record_id)
    desk.repository.update(first.with_changes(client_name="Renamed Marker"))
    desk.sync()
    tablet.sync()
    [renamed] = tablet.repository.all_sessions()
    assert renamed.client_name == "Renamed Marker"
    rewrite_record(
        service.database_url,
        account=desk.member.service_account,
        record_id=record_id,
        version=old.version,
        epoch=old.epoch,
        ciphertext=old.ciphertext,
    )
    report = tablet.sync()
    assert report.received.replays == 1 and report.tampered == 1
    assert not report.received.sessions_changed
    assert [s.client_name for s in tablet.repository.all_sessions()] == ["Renamed Marker"]


def test_a_record_moved_to_another_account_is_refused(
    two: tuple[Device, Device], service: RunningService, resend: FakeResend, tmp_path: Path
) -> None:
    desk, _tablet = two
    _add(desk, "Moved Marker")
    desk.sync()
    record_id = _session_record(desk)
    stolen = _stored(desk, record_id)
    other = device(
        service.base_url,
        tmp_path / "other",
        email=signed_up(service.base_url, resend),
        name="Other",
    )
    try:
        set_up_first(other)
        other.sync()
        # The service (it checks nothing inside a record) files the ciphertext under the other
        # account, exactly as the desk sealed it.
        [result] = other.api.push(token=other.token, records=[Pushing(stolen)])
        assert result.accepted
        report = other.sync()
        assert report.refused == 1
        assert other.repository.all_sessions() == ()
    finally:
        other.close()


def test_after_a_device_is_removed_the_others_follow_the_new_key_and_it_is_shut_out(
    service: RunningService, resend: FakeResend, tmp_path: Path
) -> None:
    email = signed_up(service.base_url, resend)
    desk, tablet, office = (
        device(service.base_url, tmp_path, email=email, name=name)
        for name in ("Front desk", "Room tablet", "Office")
    )
    try:
        set_up_first(desk)
        pair(desk, tablet)
        pair(desk, office)
        _add(desk, "Before Marker")
        desk.sync()
        office.sync()
        tablet.sync()
        old = tablet.keys
        remove_and_rotate(
            desk.api,
            token=desk.token,
            device_id=tablet.member.device.id,
            keys=desk.keys,
            keystore=desk.keystore,
            records=desk.records,
        )
        desk.sync()  # every record sealed again with the new key
        _add(desk, "After Marker")
        desk.sync()
        report = office.sync()  # follows the new epoch with its own envelope, then pulls
        assert office.keys.epoch == old.epoch + 1 and report.tampered == 0
        # The tablet's own record of itself reached the service after the desk last pulled:
        # the office, which has it, seals it again; nothing stays under the old key.
        desk.sync()
        assert sorted(s.client_name for s in office.repository.all_sessions()) == [
            "After Marker",
            "Before Marker",
        ]
        with pytest.raises(SignedOutError):
            tablet.sync()  # removed: its sign-in was revoked
        for item in desk.api.pull(token=desk.token, since=0).records:
            assert item.record.epoch == old.epoch + 1
            with pytest.raises(RecordRefusedError):
                open_record(replace(item.record, epoch=old.epoch), keys=old)
    finally:
        for each in (desk, tablet, office):
            each.close()
