"""Soft chime sounds, synthesised in pure Python as WAV bytes.

The project makes its own sounds instead of shipping or downloading recordings: each chime is a
few bell-like notes built from sine partials that die away exponentially. Every note starts with a
short raised-cosine attack and the whole sound ends with a raised-cosine fade, so nothing clicks;
the peak stays well under full scale, so nothing clips and nothing startles.
"""

from __future__ import annotations

import enum
import io
import math
import struct
import wave
from array import array
from dataclasses import dataclass

SAMPLE_RATE = 22_050
"""Samples per second: plenty for chimes whose highest partial is under 3 kHz."""

PEAK_LEVEL = 0.45
"""The loudest sample as a fraction of full scale (about -7 dBFS)."""

_FULL_SCALE = 32_767
_ATTACK_S = 0.008
_FADE_S = 0.12


class ChimeKind(enum.StrEnum):
    """Which cue a chime stands for; each sounds different so the ear can tell them apart."""

    REMINDER = "reminder"
    """Hands-on time ends in a few minutes: one soft note."""
    HANDS_ON_END = "hands-on-end"
    """Hands-on time is over: two notes falling."""
    NEXT_CLIENT = "next-client"
    """The next client is due soon: two notes rising."""


@dataclass(frozen=True, slots=True)
class _Note:
    onset: float
    frequency: float
    gain: float


# (ratio to the fundamental, relative amplitude, decay time constant in seconds): a soft bowl.
_PARTIALS: tuple[tuple[float, float, float], ...] = (
    (1.0, 1.0, 0.60),
    (2.0, 0.35, 0.35),
    (2.76, 0.15, 0.22),
    (5.4, 0.04, 0.10),
)

_SCORES: dict[ChimeKind, tuple[tuple[_Note, ...], float]] = {
    ChimeKind.REMINDER: ((_Note(0.0, 523.25, 1.0),), 1.6),
    ChimeKind.HANDS_ON_END: ((_Note(0.0, 659.25, 0.9), _Note(0.38, 523.25, 1.0)), 2.0),
    ChimeKind.NEXT_CLIENT: ((_Note(0.0, 440.0, 0.9), _Note(0.32, 587.33, 1.0)), 1.9),
}


def highest_frequency(kind: ChimeKind) -> float:
    """Return the highest partial's frequency in the chime for *kind* (Hz)."""
    notes, _ = _SCORES[kind]
    return max(n.frequency for n in notes) * max(r for r, _, _ in _PARTIALS)


def duration(kind: ChimeKind) -> float:
    """Return the length of the chime for *kind* in seconds."""
    return _SCORES[kind][1]


def synthesize(kind: ChimeKind) -> list[float]:
    """Return the chime for *kind* as samples in -1.0..1.0, peaking at ``PEAK_LEVEL``."""
    notes, length = _SCORES[kind]
    count = round(length * SAMPLE_RATE)
    samples = [0.0] * count
    attack = round(_ATTACK_S * SAMPLE_RATE)
    for note in notes:
        first = round(note.onset * SAMPLE_RATE)
        for ratio, amplitude, tau in _PARTIALS:
            step = 2 * math.pi * note.frequency * ratio / SAMPLE_RATE
            decay = math.exp(-1 / (tau * SAMPLE_RATE))
            level = note.gain * amplitude
            for i in range(count - first):
                # Stop once the partial is inaudible; nothing is added after that anyway.
                if level < 1e-5:
                    break
                ramp = 1.0 if i >= attack else 0.5 - 0.5 * math.cos(math.pi * i / attack)
                samples[first + i] += level * ramp * math.sin(step * i)
                level *= decay
    fade = round(_FADE_S * SAMPLE_RATE)
    for i in range(fade):
        samples[count - fade + i] *= 0.5 + 0.5 * math.cos(math.pi * (i + 1) / fade)
    peak = max(abs(s) for s in samples)
    scale = PEAK_LEVEL / peak
    return [s * scale for s in samples]


def to_wav(samples: list[float], *, volume: float = 1.0) -> bytes:
    """Encode *samples* (-1.0..1.0) as a 16-bit mono PCM WAV, scaled by *volume* (0.0..1.0)."""
    volume = min(1.0, max(0.0, volume))
    pcm = array("h", (round(max(-1.0, min(1.0, s * volume)) * _FULL_SCALE) for s in samples))
    if struct.pack("=h", 1) != struct.pack("<h", 1):
        pcm.byteswap()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def chime_wav(kind: ChimeKind, *, volume: float = 1.0) -> bytes:
    """Return the chime for *kind* as WAV bytes."""
    return to_wav(synthesize(kind), volume=volume)
