"""The tray's icon text, tooltip and drawing; and the fallback where no tray exists."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from sessionclock.core.countdown import ClockState, Phase, clock_state
from sessionclock.core.models import Session
from sessionclock.core.preferences import ThemeName
from sessionclock.core.settings import ClockSettings
from sessionclock.core.themes import theme
from sessionclock.ui.app_icon import app_icon
from sessionclock.ui.notices.tray import TrayIcon, draw_icon, icon_text, tooltip_text

TZ = ZoneInfo("America/Vancouver")
ANN = Session(
    "Ann Lee", datetime(2026, 11, 10, 9, tzinfo=TZ), datetime(2026, 11, 10, 10, tzinfo=TZ), id=1
)
BEN = Session(
    "Ben Okafor",
    datetime(2026, 11, 10, 10, 15, tzinfo=TZ),
    datetime(2026, 11, 10, 11, tzinfo=TZ),
    id=2,
)


def state_at(hour: int, minute: int, second: int = 0, *, started: bool = False) -> ClockState:
    now = datetime(2026, 11, 10, hour, minute, second, tzinfo=TZ)
    ann = ANN.with_changes(actual_start=ANN.start) if started else ANN
    return clock_state([ann, BEN], now=now, settings=ClockSettings())


def test_icon_text_shows_minutes_left_rounded_up() -> None:
    assert icon_text(state_at(9, 20, 30)) == "35"
    assert icon_text(state_at(9, 54, 1)) == "1"
    assert icon_text(state_at(10, 7, started=True)) == "+7"
    assert icon_text(state_at(8, 0)) == "60"  # two digits still fit...
    assert icon_text(state_at(6, 0)) == "3h"  # ...but 180 is shown in hours
    assert icon_text(state_at(12, 0)) == "✓"


def test_tooltip_has_initials_and_time_left_never_the_name() -> None:
    assert tooltip_text(state_at(9, 20)) == "Session Clock — A.L.: 35 min left"
    assert tooltip_text(state_at(10, 5)) == "Session Clock — next B.O. in 10 min"
    assert tooltip_text(state_at(10, 7, started=True)) == "Session Clock — A.L.: 7 min over"
    assert tooltip_text(state_at(12, 0)) == "Session Clock — day done"
    assert "Ann" not in tooltip_text(state_at(9, 20))


@pytest.mark.parametrize(
    ("time", "phase"),
    [((9, 20), Phase.HANDS_ON), ((9, 57), Phase.WRAP_UP), ((10, 5), Phase.TURNOVER)],
)
def test_icon_colour_follows_the_phase(qtbot: QtBot, time: tuple[int, int], phase: Phase) -> None:
    state = state_at(*time)
    assert state.phase is phase
    palette = theme(ThemeName.DAY)
    image = draw_icon(state, palette).toImage()
    ring = QColor(image.pixel(32, 5)).name()
    assert ring == palette.colours(phase).ring
    assert QColor(image.pixelColor(0, 0)).alpha() == 0


def test_before_the_first_tick_the_tray_shows_the_app_icon(qtbot: QtBot) -> None:
    tray = TrayIcon(theme(ThemeName.DAY))
    shown = tray.icon.icon().pixmap(32, 32).toImage()
    assert not shown.isNull()
    assert shown == app_icon().pixmap(32, 32).toImage()
