"""Reminders: once per session (also across a restart), silent mode, no audio, visual cue."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from sessionclock.core.chimes import ChimeKind
from sessionclock.core.clock import FixedClock
from sessionclock.core.models import Session
from sessionclock.core.preferences import ReminderPreferences
from sessionclock.core.settings import ClockSettings
from sessionclock.store.repository import AccountRepository
from sessionclock.ui.clock.controller import ClockController
from sessionclock.ui.notices.banner import Banner
from sessionclock.ui.notices.chime_player import ChimePlayer
from sessionclock.ui.notices.reminder_presenter import ReminderPresenter
from tests.support.desktop import silent_sound

TZ = ZoneInfo("America/Vancouver")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=TZ)


class Notices:
    """A notifier that keeps what it was told."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def notify(self, title: str, message: str) -> None:
        self.shown.append((title, message))


class Wired:
    """A controller with a presenter attached, as the app wires them."""

    def __init__(
        self,
        clock: FixedClock,
        repository: AccountRepository,
        preferences: ReminderPreferences,
        *,
        outputs: int = 1,
    ) -> None:
        self.controller = ClockController(clock=clock, store=repository, settings=ClockSettings())
        self.player = ChimePlayer(outputs=lambda: outputs, sound=silent_sound)
        self.notices = Notices()
        self.cues = 0
        self.presenter = ReminderPresenter(
            preferences=preferences, player=self.player, notifier=self.notices
        )
        self.presenter.add_cue_target(self._count_cue)
        self.played: list[ChimeKind] = []
        self.player.played.connect(self.played.append)
        self.controller.reminder_due.connect(self.presenter.announce)
        self.controller.state_changed.connect(self.presenter.check_next_client)

    def _count_cue(self) -> None:
        self.cues += 1


def test_each_reminder_fires_once_with_its_own_sound_setting(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann Lee", at(9), at(10)))
    wired = Wired(clock, repository, ReminderPreferences(sound_leads=(0,)))
    for minute in (44, 45, 45, 46, 50, 51, 55, 56):
        clock.current = at(9, minute)
        wired.controller.tick()
    # Leads 10, 5 and 0 (hands-on ends at 09:55) each announced once; only lead 0 sounds.
    assert [title for title, _ in wired.notices.shown] == [
        "10 minutes of hands-on time left",
        "5 minutes of hands-on time left",
        "Hands-on time is over",
    ]
    assert wired.played == [ChimeKind.HANDS_ON_END]
    assert wired.cues == 3
    assert all("Ann" not in message for _, message in wired.notices.shown)
    assert "A.L." in wired.notices.shown[0][1]
    assert wired.notices.shown[2][1] == "Time to wrap up with A.L."


def test_reminder_wording() -> None:
    from sessionclock.core.reminders import Reminder
    from sessionclock.ui.notices.reminder_presenter import reminder_message

    session = Session("Sofia Rossi", at(9), at(10), id=1)
    assert reminder_message(Reminder(session, 1)) == (
        "1 minute of hands-on time left",
        "S.R.: 1 min until wrap-up.",
    )
    assert reminder_message(Reminder(session, 0))[1] == "Time to wrap up with S.R."


def test_reminders_do_not_fire_again_after_a_restart(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann Lee", at(9), at(10)))
    clock.current = at(
        9,
        45,
    )
    first = Wired(clock, repository, ReminderPreferences())
    first.controller.tick()
    assert len(first.notices.shown) == 1
    # A new controller on the same store is what a restart builds.
    clock.current = at(9, 46)
    second = Wired(clock, repository, ReminderPreferences())
    with qtbot.assertNotEmitted(second.presenter.cued):
        second.controller.tick()
    assert second.notices.shown == []
    clock.current = at(9, 50)
    second.controller.tick()
    assert [t for t, _ in second.notices.shown] == ["5 minutes of hands-on time left"]


def test_silent_mode_cues_visually_only(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann Lee", at(9), at(10)))
    clock.current = at(9, 55)
    wired = Wired(clock, repository, ReminderPreferences(silent=True, sound_leads=(10, 5, 0)))
    with qtbot.waitSignal(wired.presenter.cued) as blocker:
        wired.controller.tick()
    assert blocker.args == [ChimeKind.HANDS_ON_END, False]
    assert wired.played == []
    assert wired.cues == 1
    assert len(wired.notices.shown) == 1


def test_without_an_audio_device_the_visual_cue_still_works(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann Lee", at(9), at(10)))
    clock.current = at(9, 55)
    wired = Wired(clock, repository, ReminderPreferences(), outputs=0)
    with (
        qtbot.waitSignal(wired.player.unavailable),
        qtbot.waitSignal(wired.presenter.cued) as blocker,
    ):
        wired.controller.tick()
    assert blocker.args == [ChimeKind.HANDS_ON_END, False]
    assert wired.cues == 1


def test_next_client_is_announced_once_per_session(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    repository.add(Session("Ann Lee", at(9), at(10)))
    repository.add(Session("Ben Okafor", at(10, 15), at(11)))
    wired = Wired(clock, repository, ReminderPreferences())
    for minute in (5, 9, 10, 11, 12):
        clock.current = at(10, minute)
        wired.controller.tick()
    assert wired.notices.shown == [("Next client in 5 minutes", "B.O. is booked next.")]
    assert wired.played == [ChimeKind.NEXT_CLIENT]


def test_banner_shows_notices_where_there_is_no_tray(qtbot: QtBot) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    assert banner.isHidden()
    banner.notify("Calendar sync failed", "The calendar could not be reached.", timeout_ms=60_000)
    assert not banner.isHidden()
    assert banner.message_label.text() == "The calendar could not be reached."
    with qtbot.waitSignal(banner.dismissed):
        banner.dismiss_button.click()
    assert banner.isHidden()
    banner.notify("x", "y", timeout_ms=10)
    qtbot.waitUntil(banner.isHidden, timeout=2000)


def test_sync_failures_are_told(
    qtbot: QtBot, clock: FixedClock, repository: AccountRepository
) -> None:
    wired = Wired(clock, repository, ReminderPreferences())
    wired.presenter.sync_failed("The calendar could not be reached.")
    assert wired.notices.shown == [("Calendar sync failed", "The calendar could not be reached.")]
    assert wired.played == []
    assert wired.cues == 0
