"""The countdown widget shows the state it is given, in every phase, at any size."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from sessionclock.core.countdown import Phase, clock_state
from sessionclock.core.models import Session
from sessionclock.core.preferences import ThemeName
from sessionclock.core.settings import ClockSettings
from sessionclock.core.themes import theme
from sessionclock.ui.clock.countdown_widget import CountdownWidget

TZ = ZoneInfo("Europe/Dublin")


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 6, 3, hour, minute, second, tzinfo=TZ)


DAY = (
    Session("Aoife Byrne", at(9), at(10), id=1),
    Session("Brian Kelly", at(10, 15), at(11), id=2),
)
PHASE_TIMES = {
    Phase.BEFORE_FIRST: (DAY, at(8, 30)),
    Phase.HANDS_ON: (DAY, at(9, 20)),
    Phase.WRAP_UP: (DAY, at(9, 57)),
    Phase.TURNOVER: (DAY, at(10, 5)),
    Phase.OVERTIME: ((DAY[0].with_changes(actual_start=at(9)), DAY[1]), at(10, 20)),
    Phase.DAY_DONE: (DAY, at(12)),
}


@pytest.mark.parametrize("phase", list(Phase))
def test_each_phase_paints_its_background_and_words(qtbot: QtBot, phase: Phase) -> None:
    widget = CountdownWidget(TZ)
    qtbot.addWidget(widget)
    widget.resize(500, 420)
    sessions, now = PHASE_TIMES[phase]
    state = clock_state(sessions, now=now, settings=ClockSettings())
    assert state.phase is phase
    widget.set_state(state)
    image = widget.grab().toImage()
    corner = image.pixelColor(2, 2)
    assert corner == QColor(theme(ThemeName.DAY).colours(phase).background)
    assert widget.face is not None
    assert widget.accessibleDescription() == widget.face.spoken


def test_overtime_counts_up_and_says_how_late(qtbot: QtBot) -> None:
    widget = CountdownWidget(TZ)
    qtbot.addWidget(widget)
    sessions, now = PHASE_TIMES[Phase.OVERTIME]
    widget.set_state(clock_state(sessions, now=now, settings=ClockSettings()))
    assert widget.face is not None
    assert widget.face.digits == "+20:00"
    assert widget.face.late == "Running 5 min late"


def test_theme_and_cue_change_the_paint(qtbot: QtBot) -> None:
    widget = CountdownWidget(TZ)
    qtbot.addWidget(widget)
    widget.resize(300, 300)
    sessions, now = PHASE_TIMES[Phase.HANDS_ON]
    widget.set_state(clock_state(sessions, now=now, settings=ClockSettings()))
    widget.set_theme(theme(ThemeName.NIGHT))
    night = theme(ThemeName.NIGHT).colours(Phase.HANDS_ON)
    assert widget.grab().toImage().pixelColor(1, 1) == QColor(night.background)
    widget.show_cue(duration_ms=60_000)
    assert widget.cue_shown
    assert widget.grab().toImage().pixelColor(1, 1) == QColor(night.cue)


def test_a_cue_goes_by_itself_and_a_pulse_when_cleared(qtbot: QtBot) -> None:
    widget = CountdownWidget(TZ)
    qtbot.addWidget(widget)
    widget.show_cue(duration_ms=20)
    assert widget.cue_shown
    qtbot.waitUntil(lambda: not widget.cue_shown, timeout=2000)
    widget.set_pulse(True)
    assert widget.cue_shown
    widget.set_pulse(False)
    assert not widget.cue_shown


@pytest.mark.parametrize(("width", "height"), [(240, 220), (1920, 1080), (800, 1280)])
def test_digits_are_drawn_inside_the_widget_at_any_size(
    qtbot: QtBot, width: int, height: int
) -> None:
    widget = CountdownWidget(TZ)
    qtbot.addWidget(widget)
    widget.resize(width, height)
    sessions, now = PHASE_TIMES[Phase.HANDS_ON]
    widget.set_state(clock_state(sessions, now=now, settings=ClockSettings()))
    image = widget.grab().toImage()
    digits = QColor(theme(ThemeName.DAY).colours(Phase.HANDS_ON).digits)
    # Scan the middle row: the digits' colour must appear there, and not touch the edges.
    row = height // 2
    hits = [x for x in range(width) if image.pixelColor(x, row) == digits]
    assert hits, "no digit pixels on the middle row"
    assert min(hits) > width * 0.05 and max(hits) < width * 0.95


def test_options_hide_seconds(qtbot: QtBot) -> None:
    widget = CountdownWidget(TZ)
    qtbot.addWidget(widget)
    sessions, now = PHASE_TIMES[Phase.HANDS_ON]
    widget.set_state(
        clock_state(sessions, now=now + timedelta(seconds=10), settings=ClockSettings())
    )
    assert widget.face is not None and widget.face.digits == "34:50"
    widget.set_options(show_seconds=False)
    assert widget.face.digits == "35 min"


def test_large_layout_gives_the_digits_the_room(qtbot: QtBot) -> None:
    def digit_rows(widget: CountdownWidget) -> int:
        image = widget.grab().toImage()
        digits = QColor(theme(ThemeName.DAY).colours(Phase.HANDS_ON).digits)
        rows = 0
        for y in range(image.height()):
            if any(image.pixelColor(x, y) == digits for x in range(0, image.width(), 3)):
                rows += 1
        return rows

    widget = CountdownWidget(TZ)
    qtbot.addWidget(widget)
    widget.resize(960, 540)
    sessions, now = PHASE_TIMES[Phase.HANDS_ON]
    widget.set_state(clock_state(sessions, now=now, settings=ClockSettings()))
    ring = digit_rows(widget)
    widget.set_large(True)
    large = digit_rows(widget)
    assert large > 1.8 * ring, (ring, large)
