"""Tests for the chime player, on this machine's real QtMultimedia (which has no audio device)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import QObject
from PySide6.QtMultimedia import QSoundEffect
from pytestqt.qtbot import QtBot

from sessionclock.core import resources
from sessionclock.core.chimes import ChimeKind
from sessionclock.core.resources import chime_path
from sessionclock.ui.notices.chime_player import ChimePlayer, audio_output_count


def test_no_audio_device_is_reported_not_raised(qtbot: QtBot) -> None:
    # CI machines and this one have no sound server: QtMultimedia lists no outputs.
    assert audio_output_count() == 0
    player = ChimePlayer()
    assert not player.audio_available()
    with qtbot.waitSignal(player.unavailable) as blocker, qtbot.assertNotEmitted(player.played):
        assert player.play(ChimeKind.REMINDER, volume=0.6) is False
    assert blocker.args == ["no audio output"]


class FakeSound:
    """Stands in for QSoundEffect where there is no device to play on."""

    made: ClassVar[list[FakeSound]] = []

    def __init__(self, path: str, parent: QObject) -> None:
        self.path = path
        self.volumes: list[float] = []
        self.plays = 0
        FakeSound.made.append(self)

    def setVolume(self, volume: float) -> None:
        self.volumes.append(volume)

    def play(self) -> None:
        self.plays += 1


def test_a_device_plays_the_chime(qtbot: QtBot) -> None:
    FakeSound.made.clear()
    player = ChimePlayer(outputs=lambda: 1, sound=FakeSound)
    with qtbot.waitSignal(player.played) as blocker, qtbot.assertNotEmitted(player.unavailable):
        assert player.play(ChimeKind.HANDS_ON_END, volume=0.5) is True
    assert blocker.args == [ChimeKind.HANDS_ON_END]
    # The effect is prepared once per kind and reused.
    assert player.play(ChimeKind.HANDS_ON_END, volume=0.2) is True
    assert len(FakeSound.made) == 1
    sound = FakeSound.made[0]
    assert (sound.plays, sound.volumes) == (2, [0.5, 0.2])
    with open(sound.path, "rb") as wav:
        assert wav.read(4) == b"RIFF"


def test_the_real_sound_effect_plays_the_shipped_chime(qtbot: QtBot) -> None:
    player = ChimePlayer(outputs=lambda: 1)
    effect = player._effect(ChimeKind.REMINDER)
    assert isinstance(effect, QSoundEffect)
    assert Path(effect.source().toLocalFile()) == chime_path(ChimeKind.REMINDER)


@pytest.mark.allow_warning_logs
def test_a_missing_chime_file_is_reported_not_raised(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resources, "resource_root", lambda: tmp_path)
    player = ChimePlayer(outputs=lambda: 1, sound=FakeSound)
    with qtbot.waitSignal(player.unavailable) as blocker, qtbot.assertNotEmitted(player.played):
        assert player.play(ChimeKind.NEXT_CLIENT, volume=0.5) is False
    assert blocker.args == ["the chime could not be prepared"]


def test_volume_zero_plays_nothing(qtbot: QtBot) -> None:
    player = ChimePlayer(outputs=lambda: 1, sound=FakeSound)
    with qtbot.waitSignal(player.unavailable), qtbot.assertNotEmitted(player.played):
        assert player.play(ChimeKind.NEXT_CLIENT, volume=0.0) is False
