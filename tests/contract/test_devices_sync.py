"""Joining, pairing and syncing between two devices through the real service on loopback
(SQLite and PostgreSQL), with the app's Qt-free core steps: each device has its own database and
key store, and what one writes the other reads only through sealed records.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from sessionclock.core.clock import SystemClock
from sessionclock.core.models import Session, SessionSource
from tests.support.devices import Device, device, pair, set_up_first, signed_up
from tests.support.fake_resend import FakeResend
from tests.support.live_service import RunningService

START = SystemClock(UTC).now().replace(microsecond=0) + timedelta(hours=1)


@pytest.fixture
def two(
    service: RunningService, resend: FakeResend, tmp_path: Path
) -> Iterator[tuple[Device, Device]]:
    """The clinic computer (the account's first device) and the room tablet, paired."""
    email = signed_up(service.base_url, resend)
    desk = device(service.base_url, tmp_path, email=email, name="Front desk")
    tablet = device(service.base_url, tmp_path, email=email, name="Room tablet")
    try:
        set_up_first(desk)
        pair(desk, tablet)
        yield desk, tablet
    finally:
        desk.close()
        tablet.close()


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
