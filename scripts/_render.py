"""Shared by the render scripts: the app on a demo day, frozen in a chosen phase."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sessionclock.app import Application, build
from sessionclock.core.clock import FixedClock
from sessionclock.core.countdown import Phase
from sessionclock.profile import open_profile
from sessionclock.ui.desktop import Desktop
from sessionclock.ui.prompts import MessageBoxPrompts

TZ = ZoneInfo("America/Toronto")
BASE = datetime(2026, 11, 10, 11, 0, tzinfo=TZ)

# Minutes after BASE at which each phase shows, for the demo day built around BASE.
OFFSETS = {
    Phase.BEFORE_FIRST: -200,
    Phase.HANDS_ON: 0,
    Phase.WRAP_UP: 37,
    Phase.TURNOVER: 45,
    Phase.OVERTIME: 48,
    Phase.DAY_DONE: 600,
}


# This computer's settings (window placement) for the renders: a fresh folder, so a window the
# person running the script moved about does not change the pictures.
_SETTINGS = tempfile.TemporaryDirectory(prefix="sessionclock-render-")


def demo_application(phase: Phase) -> Application:
    """Return the app on a throwaway demo day, its clock stopped where *phase* shows."""
    clock = FixedClock(BASE)
    application = build(
        open_profile(data_dir=None, demo=True, clock=clock),
        clock=clock,
        desktop=Desktop.system(data_dir=Path(_SETTINGS.name)),
        prompts=MessageBoxPrompts(),
    )
    if phase is Phase.OVERTIME:
        # The practitioner started the running session by hand and let it run over.
        application.controller.start_now()
    clock.current = BASE + timedelta(minutes=OFFSETS[phase])
    application.controller.tick()
    state = application.controller.state
    assert state.phase is phase, (phase, state.phase)
    return application
