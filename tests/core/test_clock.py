"""The clocks: the real one reads the computer's zone once; the fixed one moves on request."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sessionclock.core.clock import FixedClock, SystemClock


def test_system_clock_in_a_configured_zone() -> None:
    tz = ZoneInfo("Pacific/Auckland")
    now = SystemClock(tz).now()
    assert now.tzinfo is tz
    assert abs(now.timestamp() - time.time()) < 5


def test_system_clock_reads_the_computer_zone_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def fake_local_zone() -> ZoneInfo:
        calls.append(1)
        return ZoneInfo("Europe/Oslo")

    monkeypatch.setattr("sessionclock.core.clock.local_zone", fake_local_zone)
    clock = SystemClock()
    assert clock.now().tzinfo == ZoneInfo("Europe/Oslo")
    assert clock.zone() == ZoneInfo("Europe/Oslo")
    assert calls == [1]


def test_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(datetime(2026, 1, 1, 9, tzinfo=UTC))
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2026, 1, 1, 9, 5, tzinfo=UTC)
    assert clock.zone() is UTC
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 1, 1, 9))  # noqa: DTZ001
