"""Plays the chimes through QtMultimedia, and copes when there is no sound device.

The WAVs ship with the app (``resources/chimes``, made from ``core.chimes`` by
``scripts/build_resources.py``); ``QSoundEffect`` plays them from there with low latency. On a
machine without an audio output
(a CI box, a tablet with sound off in the driver) ``play`` reports that by returning False and
emitting ``unavailable``; callers still show their visual cue, and nothing raises.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    QtMsgType,
    QUrl,
    Signal,
    qInstallMessageHandler,
)

from sessionclock.core.chimes import ChimeKind
from sessionclock.core.resources import ResourceMissingError, chime_path

_log = logging.getLogger(__name__)

# What QtMultimedia prints while it probes for optional back ends (PipeWire, VA-API, a running
# PulseAudio, a media back end: the built app ships none, QSoundEffect needs none) on first use.
# On a machine without them these are expected, not faults.
_PROBE_NOISE = re.compile(
    r"Couldn't (load|resolve) .*(pipewire|va)"
    r"|pa_context_connect\(\) failed"
    r"|Using Qt multimedia with"
    r"|No QtMultimedia backends found"
)

_Handler = Callable[[QtMsgType, QMessageLogContext, str], None]


@contextmanager
def _quiet_multimedia_probe() -> Iterator[None]:
    previous: _Handler | None = None

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if _PROBE_NOISE.search(message):
            _log.debug("QtMultimedia: %s", message)
        elif previous is not None:
            previous(kind, context, message)
        else:
            _log.warning("Qt: %s", message)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def audio_output_count() -> int:
    """Return how many audio outputs QtMultimedia sees (loading it quietly on first use)."""
    with _quiet_multimedia_probe():
        from PySide6.QtMultimedia import QMediaDevices

        return len(QMediaDevices.audioOutputs())


class Sound(Protocol):
    """What the player needs of a sound effect (``QSoundEffect`` has it)."""

    def setVolume(self, volume: float) -> None:
        """Set the volume from 0.0 to 1.0."""
        ...

    def play(self) -> None:
        """Start playing."""
        ...


def qt_sound(path: str, parent: QObject) -> Sound:
    """Return a ``QSoundEffect`` for the WAV file at *path*."""
    with _quiet_multimedia_probe():
        from PySide6.QtMultimedia import QSoundEffect

        effect = QSoundEffect(parent)
        effect.setSource(QUrl.fromLocalFile(path))
    return effect


class ChimePlayer(QObject):
    """Plays one chime per cue kind at the practitioner's volume.

    Signals:
        played: emitted with the ``ChimeKind`` whenever a chime starts playing.
        unavailable: emitted with a short explanation when a chime could not be played.
    """

    played = Signal(object)
    unavailable = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        outputs: Callable[[], int] = audio_output_count,
        sound: Callable[[str, QObject], Sound] = qt_sound,
    ) -> None:
        super().__init__(parent)
        self._outputs = outputs
        self._sound = sound
        self._effects: dict[ChimeKind, Sound] = {}

    def audio_available(self) -> bool:
        """Return True if there is an audio output to play on."""
        return self._outputs() > 0

    def play(self, kind: ChimeKind, *, volume: float) -> bool:
        """Play the chime for *kind*; return False (and emit ``unavailable``) if it cannot."""
        if volume <= 0:
            self.unavailable.emit("volume is off")
            return False
        if not self.audio_available():
            self.unavailable.emit("no audio output")
            return False
        effect = self._effect(kind)
        if effect is None:
            self.unavailable.emit("the chime could not be prepared")
            return False
        effect.setVolume(min(1.0, volume))
        effect.play()
        self.played.emit(kind)
        return True

    def _effect(self, kind: ChimeKind) -> Sound | None:
        if kind in self._effects:
            return self._effects[kind]
        try:
            path = chime_path(kind)
        except ResourceMissingError:
            _log.warning("the %s chime is missing from the installation", kind.value)
            return None
        effect = self._sound(str(path), self)
        self._effects[kind] = effect
        return effect
