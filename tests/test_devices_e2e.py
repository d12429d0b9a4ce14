"""Two of the practitioner's devices, each a whole app with its own data folder and key store,
syncing through the real service on loopback (SQLite and PostgreSQL): the clinic computer and the
room tablet.

The first device keeps its recovery code and the second is paired with the six-digit code, both
through the devices screens, as a practitioner would. Then, with both apps' sync workers running as
in production: a session added by hand on the computer appears on the tablet; Start pressed on the
tablet shows as running on the computer; the calendar connected on the computer is connected on the
tablet without pasting; edits made on both while the service is down merge once it is back, with no
actual time lost. Afterwards the service's database (every table, every text and blob column) and
its log hold no client name, no calendar address and no marker of any record; and after the tablet
is removed the key was changed: what the service holds no longer opens with the key the tablet had,
while the computer still syncs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sessionclock.core.clock import SystemClock
from sessionclock.core.devices.membership import remove_and_rotate
from sessionclock.core.devices.records import RecordRefusedError, open_record
from sessionclock.core.keystore import KeyringKeyStore
from sessionclock.core.models import Session, SessionSource
from sessionclock.profile import Profile
from tests.support.account_ui import AccountsApp, sign_in, sign_up, start_app
from tests.support.device_screens import keep_recovery_code, pair_with_code
from tests.support.devices import Device, device_of
from tests.support.fake_resend import FakeResend
from tests.support.fake_stripe import FakeStripe
from tests.support.keyrings import InMemoryKeyring
from tests.support.live_service import (
    RunningService,
    new_database,
    run_service,
    service_environment,
)
from tests.support.postgres import PostgresCluster, throwaway_cluster
from tests.support.scan import scan_database, scan_text
from tests.support.service import new_email

CLOCK = SystemClock(UTC)
SYNC_MS = 20_000
"""How long a change may take to reach the other device here (a few seconds; the machine is
shared, so the test allows more)."""
CLIENT = "Zelda Quimby-Marker"
SECOND_CLIENT = "Yusuf Offline-Marker"
FEED = "https://calendar.example.test/private/e2e-feed-marker-5f2c.ics"


@pytest.fixture(scope="module")
def contract_postgres() -> Iterator[PostgresCluster]:
    """A PostgreSQL cluster for the service of these tests."""
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def e2e_service(
    request: pytest.FixtureRequest, tmp_path: Path, resend: FakeResend, stripe: FakeStripe
) -> Iterator[RunningService]:
    """The real service of one test, on SQLite or PostgreSQL, logging to a file."""
    url = new_database(request, request.param, tmp_path, "devices_e2e")
    running = run_service(service_environment(url, resend, stripe), log=tmp_path / "service.log")
    yield running
    running.stop()


@dataclass
class Pair:
    """The computer and the tablet, both running, paired.

    Attributes:
        desk: the clinic computer's app.
        tablet: the room tablet's app.
        desk_device: the computer as a device (its profile at the service).
        tablet_device: the tablet as a device.
    """

    desk: AccountsApp
    tablet: AccountsApp
    desk_device: Device
    tablet_device: Device


def _profile(app: AccountsApp) -> Profile:
    profile = app.application.profile
    assert profile is not None
    return profile


def _sync_now(app: AccountsApp) -> None:
    devices = app.application.devices
    assert devices is not None
    devices.sync_now()


@pytest.fixture
def paired(
    qtbot: QtBot,
    tmp_path: Path,
    memory_keyring: InMemoryKeyring,
    e2e_service: RunningService,
    resend: FakeResend,
) -> Iterator[Pair]:
    """Sign up on the computer, sign in on the tablet, pair the tablet with the code."""
    apps: list[AccountsApp] = []
    devices: list[Device] = []
    try:
        for name in ("desk", "tablet"):
            apps.append(
                start_app(
                    qtbot,
                    service_url=e2e_service.base_url,
                    data=tmp_path / name,
                    clock=CLOCK,
                    keystore=KeyringKeyStore(backend=InMemoryKeyring()),
                )
            )
        desk, tablet = apps
        email = new_email()
        sign_up(qtbot, desk, resend, email)
        keep_recovery_code(qtbot, desk)
        sign_in(qtbot, tablet, email)
        pair_with_code(qtbot, desk, tablet)
        devices.append(device_of(_profile(desk), e2e_service.base_url, name="desk"))
        devices.append(device_of(_profile(tablet), e2e_service.base_url, name="tablet"))
        desk_device, tablet_device = devices
        _sync_now(desk)
        _sync_now(tablet)
        yield Pair(desk, tablet, desk_device, tablet_device)
    finally:
        for device in devices:
            device.close()
        for app in apps:
            app.application.shutdown()


def _sessions(app: AccountsApp) -> tuple[Session, ...]:
    return _profile(app).repository.all_sessions()


def _named(app: AccountsApp, name: str) -> Session | None:
    return next((s for s in _sessions(app) if s.client_name == name), None)


def _shows(app: AccountsApp, name: str) -> bool:
    model = app.application.window.schedule.model
    controller = app.application.controller
    shown = controller.sessions_on(controller.today())
    return model.rowCount() == len(shown) and any(s.client_name == name for s in shown)


def _soon(minutes: int) -> datetime:
    return CLOCK.now().replace(second=0, microsecond=0) + timedelta(minutes=minutes)


def test_two_devices_share_the_day_and_the_service_sees_only_ciphertext(
    qtbot: QtBot, paired: Pair, e2e_service: RunningService
) -> None:
    desk, tablet = paired.desk, paired.tablet

    # A session added by hand at the desk appears on the tablet, in its schedule.
    start = _soon(1)
    desk.application.controller.add_session(
        Session(CLIENT, start, start + timedelta(minutes=50), source=SessionSource.MANUAL)
    )
    qtbot.waitUntil(lambda: _shows(tablet, CLIENT), timeout=SYNC_MS)

    # Start pressed on the tablet shows as running on the computer.
    tablet.application.controller.start_now()
    started = _named(tablet, CLIENT)
    assert started is not None and started.actual_start is not None

    def desk_running() -> bool:
        current = desk.application.controller.state.current
        return (
            current is not None
            and current.client_name == CLIENT
            and (current.actual_start == started.actual_start)
        )

    qtbot.waitUntil(desk_running, timeout=SYNC_MS)

    # The calendar connected at the desk is connected on the tablet, without pasting.
    _profile(desk).repository.set_feed_url(FEED)
    qtbot.waitUntil(lambda: _profile(tablet).repository.feed_url() == FEED, timeout=SYNC_MS)
    assert tablet.application.preferences.sync == desk.application.preferences.sync

    # Edits on both while the service is down merge once it is back; no actual time is lost.
    e2e_service.stop()
    desk.application.controller.end_now()  # the desk ends the session...
    ended = _named(desk, CLIENT)
    assert ended is not None and ended.actual_end is not None
    on_tablet = _named(tablet, CLIENT)
    assert on_tablet is not None and on_tablet.actual_end is None
    _profile(tablet).repository.update(on_tablet.with_changes(extra_minutes=10))  # ...the tablet
    later = _soon(90)
    tablet.application.controller.add_session(
        Session(SECOND_CLIENT, later, later + timedelta(minutes=30), source=SessionSource.MANUAL)
    )
    qtbot.waitUntil(
        lambda: all(
            app.application.devices is not None
            and app.application.devices.sync is not None
            and app.application.devices.sync.interval_ms > 2_000
            for app in (desk, tablet)
        ),
        timeout=SYNC_MS,
    )  # both noticed the service is gone and back off
    e2e_service.restart()
    _sync_now(desk)
    _sync_now(tablet)

    def merged(app: AccountsApp) -> bool:
        session = _named(app, CLIENT)
        return (
            session is not None
            and session.actual_start == started.actual_start
            and session.actual_end == ended.actual_end
            and session.extra_minutes == 10
            and _named(app, SECOND_CLIENT) is not None
        )

    qtbot.waitUntil(lambda: merged(desk) and merged(tablet), timeout=SYNC_MS * 2)
    assert _shows(desk, CLIENT)

    # What the service holds and logged: no client name, no calendar address, no marker.
    secrets = [CLIENT, SECOND_CLIENT, FEED, "Marker", "e2e-feed-marker", "calendar.example.test"]
    assert scan_database(e2e_service.database_url, secrets) == []
    assert e2e_service.log is not None
    assert scan_text(e2e_service.log.read_bytes(), secrets) == []

    # Removing the tablet changes the key: the service's records no longer open with the
    # tablet's key, and the computer still syncs.
    old_keys = paired.tablet_device.keys
    remove_and_rotate(
        paired.desk_device.api,
        token=paired.desk_device.token,
        device_id=paired.tablet_device.member.device.id,
        keys=paired.desk_device.keys,
        keystore=paired.desk_device.keystore,
        records=paired.desk_device.records,
    )
    assert paired.desk_device.keys.epoch == old_keys.epoch + 1
    report = paired.desk_device.sync()
    assert report.pushed >= 3 and report.tampered == 0
    page = paired.desk_device.api.pull(token=paired.desk_device.token, since=0)
    assert page.records and all(item.record.epoch == old_keys.epoch + 1 for item in page.records)
    for item in page.records:
        open_record(item.record, keys=paired.desk_device.keys)
        # Even labelled with the old epoch, a record does not open with the tablet's key.
        relabelled = replace(item.record, epoch=old_keys.epoch)
        with pytest.raises(RecordRefusedError) as refused:
            open_record(relabelled, keys=old_keys)
        assert refused.value.tampered
    assert scan_database(e2e_service.database_url, secrets) == []
