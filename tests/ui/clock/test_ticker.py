"""The ticker fires just after each wall-clock second."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from sessionclock.core.clock import FixedClock, SystemClock
from sessionclock.ui.clock.ticker import SecondTicker


def test_delay_lands_just_after_the_next_boundary(qtbot: QtBot) -> None:
    clock = FixedClock(datetime(2026, 1, 1, 9, 0, 0, 250_000, tzinfo=UTC))
    ticker = SecondTicker(clock)
    assert ticker.delay_to_next_second_ms() == 750 + 3
    clock.current = clock.current.replace(microsecond=999_999)
    assert ticker.delay_to_next_second_ms() == 3


def test_ticks_arrive_in_new_seconds(qtbot: QtBot) -> None:
    clock = SystemClock(UTC)
    ticker = SecondTicker(clock)
    seconds: list[datetime] = []
    ticker.ticked.connect(lambda: seconds.append(clock.now()))
    ticker.start()
    try:
        qtbot.waitUntil(lambda: len(seconds) >= 2, timeout=4000)
    finally:
        ticker.stop()
    assert not ticker.is_active()
    first, second = seconds[:2]
    assert second.replace(microsecond=0) > first.replace(microsecond=0)
    # Each tick lands early in its second, never just before the boundary.
    assert all(t.microsecond < 500_000 for t in seconds)
