"""The device sync worker against the real service on loopback: it pulls at once and keeps
polling, pushes a change made here, backs off while the service is gone and says so once, says
a refused record once and logs it without content, and does nothing while signed out or before
this device holds the account's key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sessionclock.core.account.client import make_service_client
from sessionclock.core.account.credentials import delete_token
from sessionclock.core.clock import SystemClock
from sessionclock.core.devices.cycle import CycleReport
from sessionclock.core.devices.membership import MSG_NOT_JOINED
from sessionclock.core.devices.records import MSG_REFUSED
from sessionclock.core.models import Session, SessionSource
from sessionclock.ui.device_sync.device_sync import MSG_OFFLINE, POLL_MS, DeviceSync
from tests.support.devices import Device, device, paired_devices, signed_up
from tests.support.fake_resend import FakeResend
from tests.support.live_service import RunningService
from tests.support.tamper import flipped, rewrite_record

WAIT_MS = 20_000
START = SystemClock(UTC).now().replace(microsecond=0) + timedelta(hours=2)


@pytest.fixture
def devices(
    own_service: RunningService, resend: FakeResend, tmp_path: Path
) -> Iterator[tuple[Device, Device]]:
    """The desk (first device) and the tablet, paired, at a service of this test alone."""
    with paired_devices(own_service.base_url, resend, tmp_path) as both:
        yield both


def _worker(device: Device, service: RunningService) -> DeviceSync:
    sync = DeviceSync(
        store=device.records,
        keystore=device.keystore,
        account_id=device.account_id,
        make_client=make_service_client,
        url=service.base_url,
    )
    return sync


@pytest.fixture
def tablet_sync(
    qtbot: QtBot, devices: tuple[Device, Device], own_service: RunningService
) -> Iterator[DeviceSync]:
    """The tablet's sync worker, not started yet."""
    sync = _worker(devices[1], own_service)
    yield sync
    sync.shutdown()


def _add(device: Device, name: str, hours: int = 0) -> Session:
    start = START + timedelta(hours=hours)
    return device.repository.add(
        Session(name, start, start + timedelta(hours=1), source=SessionSource.MANUAL)
    )


def _names(device: Device) -> list[str]:
    return sorted(s.client_name for s in device.repository.all_sessions())


def test_it_pulls_at_once_then_keeps_polling(
    qtbot: QtBot, devices: tuple[Device, Device], tablet_sync: DeviceSync
) -> None:
    desk, tablet = devices
    _add(desk, "Ann")
    desk.sync()
    with qtbot.waitSignal(tablet_sync.received, timeout=WAIT_MS) as first:
        tablet_sync.start()
    assert first.args is not None and first.args[0].sessions_changed
    assert _names(tablet) == ["Ann"]
    _add(desk, "Ben", hours=1)
    desk.sync()
    with qtbot.waitSignal(tablet_sync.received, timeout=WAIT_MS):
        pass  # nobody asks: the poll brings it
    assert _names(tablet) == ["Ann", "Ben"]
    assert tablet_sync.interval_ms == POLL_MS


def test_a_change_here_is_pushed_soon(
    qtbot: QtBot, devices: tuple[Device, Device], tablet_sync: DeviceSync
) -> None:
    desk, tablet = devices
    with qtbot.waitSignal(tablet_sync.synced, timeout=WAIT_MS):
        tablet_sync.start()
    _add(tablet, "Cleo")
    for _ in range(5):  # a burst of changes makes one push
        tablet_sync.changed_here()

    def pushed(report: CycleReport) -> bool:
        return report.pushed >= 1

    with qtbot.waitSignal(tablet_sync.synced, timeout=WAIT_MS, check_params_cb=pushed):
        pass
    desk.sync()
    assert _names(desk) == ["Cleo"]


@pytest.mark.allow_warning_logs
def test_a_refused_record_is_said_once_and_logged_without_content(
    qtbot: QtBot,
    devices: tuple[Device, Device],
    tablet_sync: DeviceSync,
    own_service: RunningService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    desk, tablet = devices
    with qtbot.waitSignal(tablet_sync.synced, timeout=WAIT_MS):
        tablet_sync.start()
    said: list[str] = []
    tablet_sync.tampered.connect(said.append)
    ids: list[str] = []
    for name in ("Dora Secret-Marker", "Eli Secret-Marker"):
        _add(desk, name, hours=len(ids))
        desk.sync()
        [record_id] = [
            o.record_id
            for o in desk.records.outgoing(everything=True)
            if isinstance(o.payload, Session) and o.payload.client_name == name
        ]
        page = desk.api.pull(token=desk.token, since=0)
        [stored] = [i.record for i in page.records if i.record.record_id == record_id]
        ids.append(record_id)
        rewrite_record(
            own_service.database_url,
            account=desk.member.service_account,
            record_id=stored.record_id,
            version=stored.version,
            epoch=stored.epoch,
            ciphertext=flipped(stored.ciphertext),
        )
        qtbot.waitUntil(lambda: tablet_sync.refused == len(ids), timeout=WAIT_MS)
    assert said == [MSG_REFUSED], "said once, however many"
    assert _names(tablet) == []
    logged = caplog.text
    assert "Refused 1 record(s)" in logged
    for secret in ("Dora", "Eli", "Secret-Marker", *ids):
        assert secret not in logged


def test_offline_it_backs_off_says_so_once_and_recovers(
    qtbot: QtBot, tablet_sync: DeviceSync, own_service: RunningService
) -> None:
    with qtbot.waitSignal(tablet_sync.synced, timeout=WAIT_MS):
        tablet_sync.start()
    failures: list[str] = []
    tablet_sync.failed.connect(failures.append)
    own_service.stop()
    qtbot.waitUntil(lambda: tablet_sync.interval_ms >= 4 * POLL_MS, timeout=WAIT_MS)
    assert failures == [MSG_OFFLINE], "said once while it stays away"
    own_service.restart()
    with qtbot.waitSignal(tablet_sync.recovered, timeout=WAIT_MS):
        tablet_sync.sync_now()
    assert tablet_sync.interval_ms == POLL_MS


def test_nothing_syncs_while_signed_out(
    qtbot: QtBot, devices: tuple[Device, Device], tablet_sync: DeviceSync
) -> None:
    desk, tablet = devices
    _add(desk, "Finn")
    desk.sync()
    delete_token(tablet.keystore, tablet.account_id)
    with qtbot.assertNotEmitted(tablet_sync.synced), qtbot.assertNotEmitted(tablet_sync.failed):
        tablet_sync.start()
        qtbot.waitUntil(lambda: not tablet_sync.is_running(), timeout=WAIT_MS)
        tablet_sync.changed_here()
        tablet_sync.sync_now()
        assert not tablet_sync.is_running()
    assert _names(tablet) == []


def test_a_device_without_the_key_says_why(
    qtbot: QtBot, own_service: RunningService, resend: FakeResend, tmp_path: Path
) -> None:
    email = signed_up(own_service.base_url, resend)
    alone = device(own_service.base_url, tmp_path, email=email, name="New tablet")
    sync = _worker(alone, own_service)
    try:
        with qtbot.waitSignal(sync.failed, timeout=WAIT_MS) as failed:
            sync.start()
        assert failed.args == [MSG_NOT_JOINED]
    finally:
        sync.shutdown()
        alone.close()


def test_nothing_syncs_while_paused_and_what_waited_goes_out_after(
    qtbot: QtBot, devices: tuple[Device, Device], tablet_sync: DeviceSync
) -> None:
    desk, tablet = devices
    _add(desk, "Gus")
    desk.sync()
    tablet_sync.set_paused(True)  # the subscription ended
    with qtbot.assertNotEmitted(tablet_sync.synced), qtbot.assertNotEmitted(tablet_sync.failed):
        tablet_sync.start()
        _add(tablet, "Hana", hours=1)
        tablet_sync.changed_here()
        tablet_sync.sync_now()
        assert not tablet_sync.is_running()
    assert _names(tablet) == ["Hana"]

    def pushed(report: CycleReport) -> bool:
        return report.pushed >= 1

    with qtbot.waitSignal(tablet_sync.synced, timeout=WAIT_MS, check_params_cb=pushed):
        tablet_sync.set_paused(False)
    assert _names(tablet) == ["Gus", "Hana"]
    desk.sync()
    assert _names(desk) == ["Gus", "Hana"]
