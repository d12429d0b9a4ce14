"""Tests for the chime player, on this machine's real QtMultimedia (which has no audio device)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from sessionclock.core.chimes import ChimeKind
from sessionclock.ui.chime_player import ChimePlayer, audio_output_count


def test_no_audio_device_is_reported_not_raised(qtbot: QtBot) -> None:
    # CI machines and this one have no sound server: QtMultimedia lists no outputs.
    assert audio_output_count() == 0
    player = ChimePlayer()
    assert not player.audio_available()
    with qtbot.waitSignal(player.unavailable) as blocker, qtbot.assertNotEmitted(player.played):
        assert player.play(ChimeKind.REMINDER, volume=0.6) is False
    assert blocker.args == ["no audio output"]


def test_a_device_plays_the_chime(qtbot: QtBot) -> None:
    player = ChimePlayer(outputs=lambda: 1)
    with qtbot.waitSignal(player.played) as blocker, qtbot.assertNotEmitted(player.unavailable):
        assert player.play(ChimeKind.HANDS_ON_END, volume=0.5) is True
    assert blocker.args == [ChimeKind.HANDS_ON_END]
    # The effect is prepared once per kind and reused.
    assert player.play(ChimeKind.HANDS_ON_END, volume=0.2) is True
    assert len(player._effects) == 1


def test_volume_zero_plays_nothing(qtbot: QtBot) -> None:
    player = ChimePlayer(outputs=lambda: 1)
    with qtbot.waitSignal(player.unavailable), qtbot.assertNotEmitted(player.played):
        assert player.play(ChimeKind.NEXT_CLIENT, volume=0.0) is False
